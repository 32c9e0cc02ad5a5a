-- explain() and compare()
local smtpcodes = require("smtpcodes")

local ES_HEADINGS = { "Descripción", "Cuándo lo verás", "Cómo solucionarlo" }
local EN_HEADINGS = { "Description", "When you'll see it", "How to fix it" }

local function has_all(text, list)
   for _, h in ipairs(list) do
      assert.truthy(text:find(h, 1, true), "missing '" .. h .. "' in:\n" .. text)
   end
end

describe("explain", function()
   it("explains a basic code given as an integer or text", function()
      local e = assert(smtpcodes.explain(550))
      assert.are.equal("string", type(e.text))
      assert.are.equal("string", type(e.markdown))
      has_all(e.text, EN_HEADINGS)
      assert.truthy(e.text:find("550", 1, true))
      assert.are.same(e, smtpcodes.explain("550"))
      assert.are_not.equal(e.text, e.markdown)
      assert.truthy(e.markdown:find("#", 1, true))
   end)

   it("explains an enhanced code and an unknown code", function()
      has_all(assert(smtpcodes.explain("5.1.1")).text, EN_HEADINGS)
      local u = assert(smtpcodes.explain("5.9.123"))
      assert.truthy(u.text:find("5.9.123", 1, true))
   end)

   it("explains in Spanish", function()
      local e = assert(smtpcodes.explain(550, "es"))
      has_all(e.text, ES_HEADINGS)
      has_all(e.markdown, ES_HEADINGS)
      has_all(assert(smtpcodes.explain("550 5.1.1 Usuario desconocido", "es")).text, ES_HEADINGS)
   end)

   it("explains a reply text, leniently", function()
      local e = assert(smtpcodes.explain("550 5.1.1 <bob@example.org>: User unknown"))
      assert.truthy(e.text:find("550 5.1.1", 1, true))
      assert.truthy(e.text:find("5.1.1", 1, true))
      local log = "status=bounced (host mx said: 552 5.2.2 Mailbox full)"
      assert.truthy(assert(smtpcodes.explain(log)).text:find("552", 1, true))
   end)

   it("explains a parse() result and a Code", function()
      local r = assert(smtpcodes.parse("421-4.7.0 Too many connections\r\n421 4.7.0 Try later"))
      local e = assert(smtpcodes.explain(r))
      assert.are.same(e, smtpcodes.explain("421-4.7.0 Too many connections\n421 4.7.0 Try later"))
      assert.truthy(e.text:find("multiline", 1, true))
      local c = smtpcodes.lookup("4.7.0")
      assert.are.same(smtpcodes.explain("4.7.0"), smtpcodes.explain(c))
      -- a Code keeps its language unless one is given
      local ces = smtpcodes.lookup("4.7.0", "es")
      assert.are.same(smtpcodes.explain("4.7.0", "es"), smtpcodes.explain(ces))
      assert.are.same(smtpcodes.explain("4.7.0"), smtpcodes.explain(ces, "en"))
   end)

   it("returns nil, message for text without a code", function()
      for _, s in ipairs({ "", "   ", "hello world", "55", "Connection timed out" }) do
         local e, msg, name = smtpcodes.explain(s)
         assert.is_nil(e)
         assert.are.equal("string", type(msg))
         assert.truthy(name == "empty" or name == "no-code", name)
      end
      local e, msg = smtpcodes.explain(1000)
      assert.is_nil(e)
      assert.truthy(msg:find("'1000'", 1, true), msg)
   end)

   it("raises on wrong types and unknown languages", function()
      for _, v in ipairs({ true, print }) do
         local ok, err = pcall(smtpcodes.explain, v)
         assert.is_false(ok)
         assert.truthy(err:find("bad argument #1 to '[%w%.]*explain'") or err:find("bad argument #1 to '?'", 1, true), err)
      end
      assert.has_error(function() smtpcodes.explain() end)
      assert.has_error(function() smtpcodes.explain({}) end)            -- no lines
      assert.has_error(function() smtpcodes.explain({ lines = { 1, {} } }) end)
      assert.has_error(function() smtpcodes.explain(550, "de") end)
      assert.has_error(function() smtpcodes.explain("550 x", "de") end)
      assert.has_error(function() smtpcodes.explain(io.stdout) end)
   end)
end)

describe("compare", function()
   it("compares 211 and 252 with every field", function()
      local c = assert(smtpcodes.compare(211, 252))
      assert.are.equal(smtpcodes.lookup(211), c.a)
      assert.are.equal(smtpcodes.lookup(252), c.b)
      for _, f in ipairs({ "summary", "key_differences", "when_to_use", "text", "markdown" }) do
         assert.are.equal("string", type(c[f]), f)
         assert.truthy(#c[f] > 0, f)
      end
      assert.truthy(c.text:find("211 vs 252", 1, true))
      assert.truthy(c.text:find("Key differences", 1, true))
      assert.truthy(c.text:find("When to use each", 1, true))
      assert.truthy(c.text:find(c.summary, 1, true))
      assert.truthy(#c.differences > 0)
      for _, d in ipairs(c.differences) do
         assert.are.equal(3, #d)
         assert.are.equal(d[1], d.aspect)
         assert.are.equal(d[2], d.value_a)
         assert.are.equal(d[3], d.value_b)
         assert.are_not.equal(d.value_a, d.value_b)
      end
      for _, s in ipairs(c.similarities) do assert.are.equal("string", type(s)) end
      -- every aspect is either a difference or a similarity
      assert.are.equal(8, #c.differences + #c.similarities)   -- 7 aspects and the meaning (issue 13)
   end)

   it("renders Spanish headings", function()
      local c = assert(smtpcodes.compare(211, 252, "es"))
      for _, h in ipairs({ "Descripción", "Cuándo lo verás", "Cómo solucionarlo",
                           "Diferencias clave", "Cuándo usar cada uno" }) do
         assert.truthy(c.text:find(h, 1, true), h)
         assert.truthy(c.markdown:find(h, 1, true), h)
      end
      assert.are.equal("es", c.a.lang)
      assert.are_not.equal(smtpcodes.compare(211, 252).summary, c.summary)
   end)

   it("accepts codes as integers, texts and Codes, enhanced too", function()
      local x = assert(smtpcodes.compare(450, "550"))
      local y = assert(smtpcodes.compare(smtpcodes.lookup(450), smtpcodes.lookup(550)))
      assert.are.same(x.text, y.text)
      local p = assert(smtpcodes.compare("4.2.2", "5.2.2"))
      assert.truthy(p.text:find("4.2.2 vs 5.2.2", 1, true))
      local m = assert(smtpcodes.compare(550, "5.1.1"))
      local aspects = {}
      for _, d in ipairs(m.differences) do aspects[d.aspect] = true end
      assert.truthy(aspects.kind)
      local same = assert(smtpcodes.compare(550, 550))
      assert.are.same({}, same.differences)
      local es = assert(smtpcodes.compare(smtpcodes.lookup(450, "es"), 550))
      assert.are.equal("es", es.b.lang)
   end)

   it("returns nil, message for malformed codes", function()
      local c, msg, name = smtpcodes.compare("55", 550)
      assert.is_nil(c)
      assert.are.equal("syntax", name)
      assert.truthy(msg:find("'55'", 1, true))
      c, msg, name = smtpcodes.compare(550, "6.1.1")
      assert.is_nil(c)
      assert.are.equal("range", name)
      c = smtpcodes.compare(550, "")
      assert.is_nil(c)
   end)

   it("raises on wrong types and unknown languages", function()
      local ok, err = pcall(smtpcodes.compare, 550)
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #2", 1, true), err)
      ok, err = pcall(smtpcodes.compare, {}, 550)
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #1 to '[%w%.]*compare'") or err:find("bad argument #1 to '?'", 1, true), err)
      assert.has_error(function() smtpcodes.compare(550, 450, "fr") end)
   end)
end)
