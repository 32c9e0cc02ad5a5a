-- explain() of a parse_bounce() table (issue 12): the core's bounce card (one diagnosis per
-- recipient) as text, Markdown and HTML, the bytes `smtpcodes explain FILE` prints (checked
-- byte for byte against Python and the CLI by tests/python/test_lua_explain_bounce.py).
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")
local smtpcodes = require("smtpcodes")

local read = H.read_bounce

local function vectors()
   local out = {}
   for line in io.lines(H.vectors_dir .. "bounces/expected.tsv") do
      local file = line:match("^([^\t]+%.eml)\t")
      if file then out[#out + 1] = file end
   end
   return out
end

local FILES = vectors()

-- the function's name as the interpreter reports it ('explain', 'smtpcodes.explain' or '?')
local function bad_argument(err, n)
   err = tostring(err)
   return err:find("bad argument #" .. n .. " to '[%w%.]*explain'") or err:find("bad argument #" .. n .. " to '?'", 1, true)
end
local USER_UNKNOWN = read("postfix-userunknown.eml")

describe("explain(parse_bounce(msg))", function()
   it("has vectors", function()
      assert.is_true(#FILES >= 5)
   end)

   for _, name in ipairs(FILES) do
      it(name .. ": the card parse_bounce renders, in either language", function()
         local msg = read(name)
         for _, lang in ipairs({"en", "es"}) do
            local b = smtpcodes.parse_bounce(msg, lang)
            local e = smtpcodes.explain(smtpcodes.parse_bounce(msg), lang)
            assert.are.equal("smtpcodes.Explanation", getmetatable(e).__name)
            assert.are.equal(b.text, e.text)
            assert.are.equal(b.markdown, e.markdown)
            assert.are.equal(b.html, e.html)
            -- the bounce's own language is the default
            assert.are.equal(b.text, smtpcodes.explain(b).text)
            local t = e:to_table()
            assert.are.equal(nil, getmetatable(t))
            assert.are.same({text = e.text, markdown = e.markdown, html = e.html}, t)
         end
      end)
   end

   it("names each recipient, and Spanish differs from English", function()
      local b = smtpcodes.parse_bounce(USER_UNKNOWN)
      assert.is_true(#b.recipients > 0)
      local e = smtpcodes.explain(b)
      for _, r in ipairs(b.recipients) do
         assert.is_truthy(e.text:find(r.recipient, 1, true))
         assert.is_truthy(e.html:find(r.recipient, 1, true))
      end
      local es = smtpcodes.explain(b, "es")
      assert.are_not.equal(e.text, es.text)
      assert.are.equal(e.text, smtpcodes.explain(b, "en").text)
      assert.are.equal(es.text, smtpcodes.explain(smtpcodes.parse_bounce(USER_UNKNOWN, "es")).text)
      assert.are.equal(e.text, smtpcodes.explain(smtpcodes.parse_bounce(USER_UNKNOWN, "es"), "en").text)
   end)

   it("keeps the message out of sight of pairs() and to_table()", function()
      local b = smtpcodes.parse_bounce(USER_UNKNOWN)
      local keys = {}
      for k, v in pairs(b) do
         assert.are.equal("string", type(k))
         assert.are_not.equal(USER_UNKNOWN, v)
         keys[#keys + 1] = k
      end
      table.sort(keys)
      assert.are.same({"arrival_date", "format", "html", "kind", "markdown", "original", "recipients",
                       "reporting_mta", "subject", "text", "total_recipients", "truncated"}, keys)
      for k, v in pairs(b:to_table()) do
         assert.are_not.equal(USER_UNKNOWN, v)
         assert.is_nil(k:find("message", 1, true))
      end
   end)

   it("reads the kept message, not the table's fields", function()
      local b = smtpcodes.parse_bounce(USER_UNKNOWN)
      local before = smtpcodes.explain(b).text
      b.recipients = {}
      b.kind = "delivered"
      b.text = "changed"
      assert.are.equal(before, smtpcodes.explain(b).text)
   end)

   it("works after a collection, for each of several bounces", function()
      local list = {}
      for i, name in ipairs(FILES) do list[i] = smtpcodes.parse_bounce(read(name)) end
      collectgarbage()
      collectgarbage()
      for i, name in ipairs(FILES) do
         assert.are.equal(smtpcodes.parse_bounce(read(name)).html, smtpcodes.explain(list[i]).html)
      end
   end)

   it("takes empty, NUL, non-UTF-8 and huge messages", function()
      local huge = ("Subject: x\r\n"):rep(2) .. "\r\n" .. ("550 5.1.1 <a@b.c> user unknown\r\n"):rep(20000)
      for _, msg in ipairs({"", "\0", "\0\0\n\0", "\255\254\r\n\r\n\192", huge}) do
         local b = smtpcodes.parse_bounce(msg)
         local e = smtpcodes.explain(b, "es")
         assert.are.equal(smtpcodes.parse_bounce(msg, "es").text, e.text)
         assert.are.equal("string", type(e.markdown))
      end
   end)

   it("checks the language", function()
      local b = smtpcodes.parse_bounce(USER_UNKNOWN)
      local ok, err = pcall(smtpcodes.explain, b, "xx")
      assert.is_false(ok)
      assert.is_truthy(bad_argument(err, 2), tostring(err))
      assert.is_truthy(tostring(err):find("unknown language", 1, true), tostring(err))
      ok, err = pcall(smtpcodes.explain, b, 1)
      assert.is_false(ok)
      assert.is_truthy(bad_argument(err, 2), tostring(err))
   end)

   it("refuses tables that are not parse_bounce() results with bad argument #1", function()
      local b = smtpcodes.parse_bounce(USER_UNKNOWN)
      local forged = setmetatable({text = "x"}, getmetatable(b))
      local copy = b:to_table()
      for _, x in ipairs({forged, copy, b.recipients[1], b.recipients, {}, true}) do
         local ok, err = pcall(smtpcodes.explain, x)
         assert.is_false(ok)
         assert.is_truthy(bad_argument(err, 1), tostring(err))
      end
   end)
end)
