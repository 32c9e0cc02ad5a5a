-- The fast paths of issue 16, checked against the slow ones on every Lua version:
-- classify_many (one pass over the list) gives, line for line, what classify gives, on every
-- line of tests/vectors; its count and its errors do not depend on where a table keeps its
-- keys; several threads give what one gives; lookup's cache (a C closure, or a Lua function on LuaJIT) answers as lookup does.
local smtpcodes = require("smtpcodes")
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")

local FIELDS = {
   "reason", "permanence", "hard_bounce", "retry", "advice", "evidence", "evidence_kind", "phrase", "vendor",
   "provider", "mta", "stage", "tag", "code", "enhanced", "title", "lang", "text", "markdown", "html",
}

-- Every line of every vector file (comments too), raw, and each of its fields with its escapes
-- decoded, then the lines of the bounce messages, each text once: thousands of replies, log
-- lines and odd bytes.
local function vector_lines()
   local lines, seen = {}, {}
   local raw = {}
   local names = { "classify.tsv", "parse.tsv", "replies_dev.tsv", "logs.tsv", "lookup.tsv", "maillog_labels.tsv",
                   "reference_codes.tsv", "tags_a.tsv", "tags_b.tsv" }
   for _, name in ipairs(names) do
      local f = assert(io.open(H.vectors_dir .. name, "rb"))
      for line in f:lines() do
         raw[#raw + 1] = line
         for _, field in ipairs(H.split_tabs(line)) do raw[#raw + 1] = H.unescape(field) end
      end
      f:close()
   end
   for _, name in ipairs({ "arf.eml", "autoreply.eml", "carrier-unfolded.eml", "delay.eml", "delivered.eml",
                           "exim.eml", "forwarded.eml", "gmail-state.eml", "other.eml", "postfix-userunknown.eml",
                           "qmail.eml", "reason-above.eml" }) do
      for line in H.read_bounce(name):gmatch("[^\n]*") do raw[#raw + 1] = line end
   end
   for _, line in ipairs(raw) do
      if not seen[line] then seen[line] = true; lines[#lines + 1] = line end
   end
   return lines
end

local LINES = vector_lines()

-- Plain values and tables of them, compared deeply.
local function same(x, y)
   if type(x) ~= "table" or type(y) ~= "table" then return x == y end
   for k, v in pairs(x) do if not same(v, y[k]) then return false end end
   for k in pairs(y) do if x[k] == nil then return false end end
   return true
end

-- nil when a (a classify_many entry) agrees with b (what classify gives) field by field,
-- else what differs.
local function differs(a, b)
   if b.error ~= nil then
      if a.error ~= b.error then return "error " .. tostring(a.error) .. " ~= " .. tostring(b.error) end
      return nil
   end
   if type(a) ~= "table" or a.error ~= nil then return "an error entry: " .. tostring(a.error) end
   for _, f in ipairs(FIELDS) do
      if a[f] ~= b[f] then return f .. ": " .. tostring(a[f]) .. " ~= " .. tostring(b[f]) end
   end
   if not same(a.flags, b.flags) then return "flags" end
   if not same(a:to_table(), b:to_table()) then return "to_table" end
   if not (a == b) then return "==" end
   return nil
end

-- What classify gives for line, in the shape of a classify_many entry.
local function one(line, lang)
   local c, msg = smtpcodes.classify(line, lang)
   if c == nil then return { error = msg } end
   return c
end

describe("classify_many against classify", function()
   it("has more than a thousand vector lines to check", function()
      assert.truthy(#LINES > 1000, #LINES)
   end)

   for _, lang in ipairs({ "en", "es" }) do
      it("gives classify's entry for every vector line (" .. lang .. ")", function()
         local out = smtpcodes.classify_many(LINES, lang)
         assert.truthy(H.is_sequence(out))
         assert.are.equal(#LINES, #out)
         local errors, bad = 0, {}
         for i, line in ipairs(LINES) do
            local want = one(line, lang)
            if want.error then errors = errors + 1 end
            local d = differs(out[i], want)
            if d and #bad < 5 then bad[#bad + 1] = "line " .. i .. " " .. H.printable(line:sub(1, 60)) .. ": " .. d end
         end
         assert.are.same({}, bad)
         assert.truthy(errors > 0, "no error entry among the vector lines")
         assert.truthy(errors < #LINES / 2, errors)
      end)
   end

   it("makes a new table for every entry, also for repeated lines", function()
      local out = smtpcodes.classify_many({ "550 5.1.1 user unknown", "550 5.1.1 user unknown", "", "" })
      assert.is_false(rawequal(out[1], out[2]))
      assert.is_false(rawequal(out[3], out[4]))
      assert.are.equal(out[1], out[2])
      out[1].mine = true
      assert.is_nil(out[2].mine)
      -- an error entry: a plain {error = msg} whose shared metatable gives it to_table()
      assert.are.equal(getmetatable(out[3]), getmetatable(out[4]))
      assert.are.equal("function", type(out[3].to_table))
      local n = 0
      for _ in pairs(out[3]) do n = n + 1 end
      assert.are.equal(1, n)
   end)

   it("does not depend on where the table keeps its keys", function()
      -- built backwards, the keys start in the hash part; with holes filled later, in both parts
      local back, fwd = {}, {}
      for i = #LINES, 1, -1 do back[i] = LINES[i] end
      for i = 1, #LINES do fwd[i] = LINES[i] end
      local packed = { n = #LINES }
      for i = #LINES, 1, -1 do packed[i] = LINES[i] end
      local a, b, c = smtpcodes.classify_many(back), smtpcodes.classify_many(fwd), smtpcodes.classify_many(packed)
      assert.are.equal(#LINES, #a)
      assert.are.equal(#LINES, #c)
      assert.truthy(H.is_sequence(a))
      local bad = {}
      for i = 1, #LINES do
         local d = differs(a[i], b[i]) or differs(c[i], b[i])
         if d and #bad < 5 then bad[#bad + 1] = i .. ": " .. d end
      end
      assert.are.same({}, bad)
   end)

   it("ignores keys that are not list indices", function()
      local t = { "550 5.1.1 a", "452 4.2.2 b", x = 1, [0] = false, [-1] = {}, [1.5] = true, [math.huge] = 2,
                  [-math.huge] = print }
      t[true] = "550"
      local out = smtpcodes.classify_many(t)
      assert.are.equal(2, #out)
      assert.truthy(H.is_sequence(out))
      assert.are.equal("userunknown", out[1].reason)
      assert.are.equal("mailboxfull", out[2].reason)
      local f = { [1.0] = "550 5.1.1 a", [2.0] = "452 4.2.2 b" }   -- float keys with integer values
      assert.are.equal(2, #smtpcodes.classify_many(f))
   end)

   it("counts list.n elements when n is a number, ignoring keys past it", function()
      local out = smtpcodes.classify_many({ n = 1, "550 5.1.1 a", {}, print })
      assert.are.equal(1, #out)
      assert.are.equal("userunknown", out[1].reason)
      assert.are.same({}, smtpcodes.classify_many({ n = 0, "550 5.1.1 a" }))
      assert.are.same({}, smtpcodes.classify_many({ n = -3, "550 5.1.1 a" }))
      assert.are.equal(2, #smtpcodes.classify_many({ n = 2.7, "550 5.1.1 a", "452 4.2.2 b", "x" }))
      local ok, err = pcall(smtpcodes.classify_many, { n = 4, "550 5.1.1 a", "452 4.2.2 b" })
      assert.is_false(ok)
      assert.truthy(err:find("index 3, got nil", 1, true), err)
   end)

   it("names the first bad index, wherever the table keeps it", function()
      local bads = { { "nil", nil }, { "boolean", false }, { "boolean", true }, { "number", 550 }, { "table", {} },
                     { "function", print }, { "userdata", io.stdout } }
      for _, b in ipairs(bads) do
         for _, at in ipairs({ 1, 2, 37, 99 }) do
            for _, backwards in ipairs({ false, true }) do
               local t = {}
               local from, to, step = 1, 100, 1
               if backwards then from, to, step = 100, 1, -1 end
               for i = from, to, step do
                  if i == at then t[i] = b[2]
                  elseif i > at and i % 7 == 0 then t[i] = {}          -- later bad ones
                  else t[i] = "550 5.1.1 user unknown " .. i end
               end
               local ok, err = pcall(smtpcodes.classify_many, t)
               local where = b[1] .. " at " .. at .. (backwards and " (backwards)" or "")
               assert.is_false(ok, where)
               assert.truthy(err:find("bad argument #1", 1, true), err)
               assert.truthy(err:find("index " .. at .. ", got " .. b[1], 1, true), where .. ": " .. err)
            end
         end
      end
   end)

   it("reports a hole below the largest index, and a list too long", function()
      local ok, err = pcall(smtpcodes.classify_many, { "550 5.1.1 a", [5] = "452 4.2.2 b" })
      assert.is_false(ok)
      assert.truthy(err:find("index 2, got nil", 1, true), err)
      ok, err = pcall(smtpcodes.classify_many, { "550 5.1.1 a", [2 ^ 40] = "452 4.2.2 b" })
      assert.is_false(ok)
      assert.truthy(err:find("list too long", 1, true), err)
   end)

   it("gives the same entries on several threads as on one, in order", function()
      -- more than 4096 lines (two chunks) and more than 256 lines per thread, so the threads run
      local big = {}
      while #big < 9000 do for _, l in ipairs(LINES) do big[#big + 1] = l end end
      for _, lang in ipairs({ "en", "es" }) do
         local one_thread = smtpcodes.classify_many(big, lang)
         for _, threads in ipairs({ 1, 2, 3, 64, 1000 }) do
            local out = smtpcodes.classify_many(big, lang, threads)
            assert.are.equal(#big, #out)
            assert.truthy(H.is_sequence(out))
            local bad = {}
            for i = 1, #big do
               local d = differs(out[i], one_thread[i])
               if d and #bad < 5 then bad[#bad + 1] = threads .. " threads, line " .. i .. ": " .. d end
            end
            assert.are.same({}, bad)
         end
      end
      -- a short list on many threads: still one entry per line, still equal to classify
      local short = { LINES[1], LINES[2], "", LINES[3] }
      local out = smtpcodes.classify_many(short, nil, 8)
      assert.are.equal(4, #out)
      for i = 1, 4 do assert.is_nil(differs(out[i], one(short[i], "en")), i) end
   end)

   it("keeps its lines alive, or raises, when a finalizer empties the list during the call", function()
      -- the pinned strings: under ASan (make asan-lua) a freed line would be a use-after-free
      for _, threads in ipairs({ 1, 2 }) do
         local list, want = {}, {}
         for i = 1, 6000 do
            local line = (i % 7 == 0) and "" or ("550 5.1.1 <user" .. i .. "@example.org>: Recipient address rejected: "
               .. "User unknown in virtual mailbox table " .. i)
            list[i] = line
            want[i] = one(line, "en")
         end
         local function clear() for i = 1, #want do list[i] = nil end end
         collectgarbage("collect")
         for _ = 1, 200 do                        -- garbage with finalizers, collected during the call
            if newproxy then
               local p = newproxy(true)
               getmetatable(p).__gc = clear
            else
               setmetatable({}, { __gc = clear })
            end
         end
         -- lines gathered before a finalizer ran are classified; one gathered after raises
         local ok, out = pcall(smtpcodes.classify_many, list, "en", threads)
         if ok then
            assert.are.equal(#want, #out)
            local bad = {}
            for i = 1, #want do
               local d = differs(out[i], want[i])
               if d and #bad < 3 then bad[#bad + 1] = i .. ": " .. d end
            end
            assert.are.same({}, bad)
         else
            assert.truthy(tostring(out):find("the list changed during the call (index ", 1, true), out)
            assert.truthy(tostring(out):find("is now nil)", 1, true), out)
         end
      end
   end)

   it("checks threads", function()
      for _, bad in ipairs({ 0, -1, 1.5, 0 / 0, -math.huge }) do
         local ok, err = pcall(smtpcodes.classify_many, { "550 5.1.1 a" }, nil, bad)
         assert.is_false(ok, tostring(bad))
         assert.truthy(err:find("bad argument #3", 1, true), err)
         assert.truthy(err:find("threads must be an integer >= 1", 1, true), err)
      end
      for _, bad in ipairs({ "2", {}, true }) do
         local ok, err = pcall(smtpcodes.classify_many, { "550 5.1.1 a" }, "en", bad)
         assert.is_false(ok, tostring(bad))
         assert.truthy(err:find("bad argument #3", 1, true), err)
         assert.truthy(err:find("number expected", 1, true), err)
      end
      assert.are.equal(1, #smtpcodes.classify_many({ "550 5.1.1 a" }, nil, nil))
      assert.are.equal(1, #smtpcodes.classify_many({ "550 5.1.1 a" }, "es", 2.0))
   end)

   it("checks its arguments before the list", function()
      assert.has_error(function() smtpcodes.classify_many({ "550 5.1.1 a", {} }, "fr") end)
      local ok, err = pcall(smtpcodes.classify_many, { "550 5.1.1 a" }, "fr")
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #2", 1, true), err)
   end)
end)

describe("classifications from classify, classify_many and parse_log", function()
   it("share one metatable and compare equal", function()
      local line = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
      local a = smtpcodes.classify(line)
      local b = smtpcodes.classify_many({ line })[1]
      assert.are.equal(getmetatable(a), getmetatable(b))
      assert.are.equal(a, b)
      local rec = smtpcodes.parse_log("Jan  1 00:00:00 mx postfix/smtp[1]: 0123456789: to=<bob@example.org>, "
         .. "relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced "
         .. "(host mx.example.org[192.0.2.1] said: " .. line .. " (in reply to RCPT TO command))")
      assert.are.equal(getmetatable(a), getmetatable(rec.classification))
      assert.are.equal("userunknown", rec.classification.reason)
   end)
end)

describe("lookup's cache", function()
   it("answers a repeated argument with the same Code as a first lookup", function()
      for _, arg in ipairs({ 550, "550", 550.0, "5.1.1", " 421 ", "X.7.1", "5.9.123" }) do
         local first = assert(smtpcodes.lookup(arg))
         for _ = 1, 3 do assert.is_true(rawequal(first, smtpcodes.lookup(arg)), tostring(arg)) end
         assert.is_true(rawequal(first, smtpcodes.lookup(arg, nil)), tostring(arg))
         assert.is_true(rawequal(first, smtpcodes.lookup(arg, "en")), tostring(arg))
         assert.are.equal("es", smtpcodes.lookup(arg, "es").lang)
         assert.are.equal("en", smtpcodes.lookup(arg).lang)
      end
   end)

   it("still raises on a bad language after the argument was cached", function()
      assert(smtpcodes.lookup(550))
      for _, lang in ipairs({ false, true, "fr", {}, 1 }) do
         for _ = 1, 2 do
            local ok, err = pcall(smtpcodes.lookup, 550, lang)
            assert.is_false(ok, tostring(lang))
            assert.truthy(err:find("bad argument #2", 1, true), err)
         end
      end
   end)

   it("gives errors as lookup does, every time", function()
      for _, arg in ipairs({ 999, "999", "5.5", "hello", 550.5, 0 / 0, math.huge, -1, "" }) do
         for _ = 1, 2 do
            local c, msg, name = smtpcodes.lookup(arg)
            assert.is_nil(c, tostring(arg))
            assert.are.equal("string", type(msg))
            assert.are.equal("string", type(name))
         end
      end
      for _, bad in ipairs({ {}, true, print }) do
         for _ = 1, 2 do
            local ok, err = pcall(smtpcodes.lookup, bad)
            assert.is_false(ok)
            assert.truthy(err:find("bad argument #1", 1, true), err)
         end
      end
      assert.is_false(pcall(smtpcodes.lookup))
      assert.is_false(pcall(smtpcodes.lookup, nil))
   end)

   it("takes a Code and lets its Codes be collected", function()
      local es = smtpcodes.lookup(451, "es")
      assert.is_true(rawequal(es, smtpcodes.lookup(es)))
      assert.are.equal("es", smtpcodes.lookup(es).lang)
      local weak = setmetatable({}, { __mode = "v" })
      weak[1] = smtpcodes.lookup(" 5.3.3 ")
      collectgarbage("collect"); collectgarbage("collect")
      assert.is_nil(weak[1])
      local again = assert(smtpcodes.lookup("5.3.3"))
      assert.are.equal("5.3.3", again.code)
      assert.is_true(rawequal(again, smtpcodes.lookup("5.3.3")))
   end)

   it("ignores extra arguments as lookup does", function()
      assert.is_true(rawequal(smtpcodes.lookup(550), smtpcodes.lookup(550, nil, "ignored")))
   end)
end)
