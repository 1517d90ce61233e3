-- make bench: Mark complete as fast as it goes, every request a POST that
-- writes.  Each wrk thread takes half of the student's courses and walks
-- their lessons, marking each complete, then (second pass) not complete,
-- and so on, so no request finds its lesson already in the state it asks
-- for.  bench.sh sets BENCH_COOKIE, BENCH_CSRF and BENCH_SLUGS (the
-- student's course slugs, comma-separated; 5 lessons each).
local threads = 0

function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

function init(args)
	slugs = {}
	for s in string.gmatch(os.getenv("BENCH_SLUGS"), "[^,]+") do
		table.insert(slugs, s)
	end
	half = math.floor(#slugs / 2)
	first = tid * half
	i = 0
	headers = {
		["Cookie"] = os.getenv("BENCH_COOKIE"),
		["Content-Type"] = "application/x-www-form-urlencoded",
	}
	body = "csrf_token=" .. os.getenv("BENCH_CSRF")
end

function request()
	local per = half * 5
	local k = i % per
	local what = (math.floor(i / per) % 2 == 0) and "complete" or "incomplete"
	local slug = slugs[first + math.floor(k / 5) + 1]
	i = i + 1
	return wrk.format("POST", "/learn/" .. slug .. "/" .. (k % 5 + 1) ..
	    "/" .. what, headers, body)
end
