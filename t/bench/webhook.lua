-- wrk script: POSTs pre-signed Stripe events to /payment/webhook, each
-- with its own event id, so every request is a new durable transaction
-- (not the cheap duplicate path).  The events are in the file named by
-- the environment variable BENCH_EVENTS: one "signature<TAB>body" a line.
local events = {}
local next_event = 1
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

function init(args)
	for line in io.lines(os.getenv("BENCH_EVENTS")) do
		local sig, body = line:match("^([^\t]+)\t(.*)$")
		events[#events + 1] = { sig = sig, body = body }
	end
	-- Threads take interleaved events so no two send the same one.
	next_event = id
end

function request()
	local ev = events[next_event]
	next_event = next_event + 2
	if next_event > #events then next_event = id end
	return wrk.format("POST", "/payment/webhook", {
		["Content-Type"] = "application/json",
		["Stripe-Signature"] = ev.sig }, ev.body)
end
