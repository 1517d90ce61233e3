-- wrk script (t/bench/seats.sh): each request confirms a list of 1,000
-- addresses nobody has used (the seats bulk confirmation: one
-- transaction giving 1,000 seats by invitation).  BENCH_COOKIE,
-- BENCH_CSRF and BENCH_COURSE come from seats.sh; addresses are made of
-- the thread, the request and the line, so no two requests share one.
local threads = 0

function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

function init(args)
	n = 0
	headers = {
		["Cookie"] = os.getenv("BENCH_COOKIE"),
		["Content-Type"] = "application/x-www-form-urlencoded",
	}
	head = "csrf_token=" .. os.getenv("BENCH_CSRF") .. "&course=" ..
	    os.getenv("BENCH_COURSE") .. "&addresses="
	stamp = os.getenv("BENCH_STAMP")
end

function request()
	n = n + 1
	local list = {}
	for i = 1, 1000 do
		list[i] = string.format("b%s-%d-%d-%d%%40example.org", stamp, tid, n, i)
	end
	return wrk.format("POST", nil, headers, head .. table.concat(list, "%2C"))
end
