-- to_table() (issue 14): Codes and classifications as plain tables of strings, numbers,
-- booleans and nested plain tables, JSON-ready: a tiny encoder that refuses functions,
-- userdata and tables with a metatable encodes them. Runs under 5.4, 5.3, 5.1 and LuaJIT.
local smtpcodes = require("smtpcodes")

local function encode(v)
   local t = type(v)
   if t == "string" then return string.format("%q", v)
   elseif t == "number" or t == "boolean" then return tostring(v)
   elseif t == "table" then
      assert(getmetatable(v) == nil, "a table with a metatable")
      local parts = {}
      for k, x in pairs(v) do
         assert(type(k) == "string" or type(k) == "number", "key of type " .. type(k))
         parts[#parts + 1] = tostring(k) .. ":" .. encode(x)
      end
      table.sort(parts)
      return "{" .. table.concat(parts, ",") .. "}"
   end
   error("cannot encode a " .. t)
end

describe("to_table", function()
   it("encodes a Code, its lists and related codes as plain values", function()
      for _, x in ipairs({ 550, "5.1.1", "4.7.0", "X.1.1" }) do
         local c = assert(smtpcodes.lookup(x))
         local t = c:to_table()
         encode(t)
         assert.are.equal(c.code, t.code)
         assert.are.equal(c.title, t.title)
         assert.are.equal(#c.related, #t.related)
         for i, r in ipairs(c.related) do assert.are.equal(r.code, t.related[i]) end
         assert.is_nil(t.text)
      end
   end)

   it("encodes every field of a classification, the same before and after reading them", function()
      local line = "452 4.2.2 The email account that you tried to reach is over quota. - gsmtp"
      local fresh = assert(smtpcodes.classify(line)):to_table()
      local c = assert(smtpcodes.classify(line, "es"))
      encode(fresh)
      for _, k in ipairs({ "reason", "permanence", "hard_bounce", "retry", "advice", "evidence",
                           "evidence_kind", "code", "enhanced", "flags", "lang", "title" }) do
         assert.is_not_nil(fresh[k], k)
      end
      assert.are.equal("mailboxfull", fresh.reason)
      assert.are.equal("en", fresh.lang)
      local _ = c.advice
      assert.are.equal("es", c:to_table().lang)
      assert.are.equal(c.advice, c:to_table().advice)
      for _, r in ipairs(smtpcodes.classify_many({ line, "550 5.1.1 user unknown" })) do encode(r:to_table()) end
   end)

   it("gives classify_many's entry for a bad line a to_table too", function()
      local r = smtpcodes.classify_many({ "550 5.1.1 user unknown", "", " \r\n" })
      assert.are.equal(3, #r)
      for i = 2, 3 do
         local t = r[i]:to_table()
         assert.are.equal("string", type(r[i].error))
         assert.are.equal(r[i].error, t.error)
         assert.are.equal('{error:' .. string.format("%q", r[i].error) .. '}', encode(t))
      end
      assert.is_nil(r[1].error)
   end)
end)

describe("to_table of replies, tags and log records", function()
   it("gives plain nested tables", function()
      local r = assert(smtpcodes.parse("550-5.1.1 first\n550 5.1.1 user unknown"))
      local t = r:to_table()
      encode(t)
      assert.are.equal(550, t.code)
      assert.are.equal("5.1.1", t.status_code.code)
      assert.are.same(r.lines, t.lines)
      local tag = assert(smtpcodes.lookup_tag("TSS04")):to_table()
      encode(tag)
      assert.are.equal("TSS04", tag.tag)
      local rec = smtpcodes.parse_log("Dec  2 10:00:00 mx postfix/smtp[1]: ABC123: to=<a@b.c>, " ..
         "relay=mx.b.c[1.2.3.4]:25, delay=1, dsn=5.1.1, status=bounced (host mx.b.c[1.2.3.4] said: " ..
         "550 5.1.1 user unknown (in reply to RCPT TO command))")
      local lt = rec:to_table()
      encode(lt)
      assert.are.equal("userunknown", lt.classification.reason)
      assert.are.equal(550, lt.reply.code)
      assert.is_nil(lt.line)
   end)
end)

describe("to_table of bounces", function()
   it("gives the message and every recipient as plain tables", function()
      local f = assert(io.open("tests/vectors/bounces/postfix-userunknown.eml", "rb"))
      local b = smtpcodes.parse_bounce(f:read("*a"))
      f:close()
      local t = b:to_table()
      encode(t)
      assert.are.equal(#b.recipients, #t.recipients)
      assert.are.equal(b.recipients[1].recipient, t.recipients[1].recipient)
      assert.are.equal("userunknown", t.recipients[1].classification.reason)
      assert.is_nil(t.text)
      assert.are.same(b.recipients[1]:to_table(), t.recipients[1])
   end)
end)

describe("to_table of explanations and comparisons", function()
   it("gives Python's shapes: differences as lists, similarities as pairs", function()
      local e = smtpcodes.explain(550):to_table()
      assert.are.equal(smtpcodes.explain(550).text, e.text)
      assert.is_nil(getmetatable(e))
      local c = smtpcodes.compare(450, 550)
      local t = c:to_table()
      assert.are.equal("en", t.lang)
      assert.are.equal(450, t.a.code)
      assert.are.equal(#c.differences, #t.differences)
      assert.are.same({ c.differences[1].aspect, c.differences[1].value_a, c.differences[1].value_b },
                      t.differences[1])
      assert.are.same({ "category", "x5z Mail system" }, t.similarities[2])
      for _, x in ipairs({ e, t }) do
         for _, v in pairs(x) do assert.is_true(type(v) ~= "userdata" and type(v) ~= "function") end
      end
   end)
end)
