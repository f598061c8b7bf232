-- bench/track.lua - wrk script for bench/track.sh: POST /api/v1/track as the widget sends it
-- (text/plain JSON, one event per report), over many visitor tokens: one page view for every
-- two heartbeats of one second each. Each thread counts its 200 answers, so the script can
-- check that exactly that many events reached the database.
local tokens, n = {}, 0
local path = os.getenv("TRACK_PATH")
local origin = os.getenv("TRACK_ORIGIN")
local pages = { "/", "/earbuds", "/thermos", "/bags", "/cart", "/search?q=%E8%80%B3%E6%9C%BA", "/item/1", "/item/2" }

function setup(thread)
	thread:set("id", n)
	n = n + 1
end

function init(args)
	for line in io.lines(os.getenv("TRACK_TOKENS")) do tokens[#tokens + 1] = line end
	seq, ok, bad = 0, 0, 0
	math.randomseed(os.time() + id * 7919)
end

function request()
	seq = seq + 1
	local tok = tokens[math.random(#tokens)]
	local ev
	if seq % 3 == 0 then
		local p = pages[math.random(#pages)]
		ev = '{"type":"view","url":"' .. origin .. p .. '","title":"Demo page","referrer":"https://www.baidu.com/","lang":"zh-CN","screen":"1280x800"}'
	else
		ev = '{"type":"ping","seconds":1}'
	end
	return wrk.format("POST", path, { ["Content-Type"] = "text/plain;charset=UTF-8", ["Origin"] = origin },
		'{"token":"' .. tok .. '","events":[' .. ev .. ']}')
end

function response(status, headers, body)
	if status == 200 then ok = ok + 1 else bad = bad + 1 end
end

threads = {}
local prev_setup = setup
function setup(thread)
	prev_setup(thread)
	threads[#threads + 1] = thread
end

function done(summary, latency, requests)
	local o, b = 0, 0
	for _, t in ipairs(threads) do
		o = o + t:get("ok")
		b = b + t:get("bad")
	end
	io.write(string.format("# answers: %d ok, %d not ok\n", o, b))
end
