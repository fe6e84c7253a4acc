-- post.lua: wrk script for the comment-posting scenario. Every request posts
-- a valid comment with a text no other request used, so no 409 duplicate.
--   wrk ... -s post.lua URL -- PATH BODY_FILE [PREFIX]
-- PATH: the form's action; BODY_FILE: the form's fields (its hidden inputs,
-- author, url, hp) urlencoded, to which "&email=...&comment=..." is appended.
-- PREFIX (default none) begins every id: a warm-up run's comments are then
-- no duplicates of the measured run's.
-- Each request carries ?n=THREAD-N, which nginx logs beside the status, so
-- that every 303 can be matched with a row in the database afterwards.

local threads = {}
local next_id = 0

function setup(thread)
   thread:set("tid", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   path = args[1]
   local f = assert(io.open(args[2], "rb"))
   fields = f:read("*a")
   f:close()
   counter = 0
   prefix = args[3] or ""
   n303 = 0
   nother = 0
   headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
end

function request()
   counter = counter + 1
   local id = prefix .. tid .. "-" .. counter
   -- each from a reader of their own, as on a real site
   local body = fields .. "&email=reader-" .. id .. "%40example.org" ..
      "&comment=Benchmark+comment+" .. id ..
      "%2C+written+to+check+that+every+303+has+its+row."
   return wrk.format("POST", path .. "?n=" .. id, headers, body)
end

function response(status, headers, body)
   if status == 303 then
      n303 = n303 + 1
   else
      nother = nother + 1
   end
end

function done(summary, latency, requests)
   local a, b = 0, 0
   for _, t in ipairs(threads) do
      a = a + t:get("n303")
      b = b + t:get("nother")
   end
   io.write(string.format("post.lua: 303=%d other=%d\n", a, b))
end
