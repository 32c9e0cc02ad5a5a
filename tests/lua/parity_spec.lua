-- Lua parity with Python (issue 14): alt and permanence on codes, similarities with their
-- values, reason_info, and the same classify_many on every Lua version (a hole is an error,
-- list.n is the count). Runs under 5.4, 5.3, 5.1 and LuaJIT (tests/lua/run_versions.sh).
local smtpcodes = require("smtpcodes")

describe("parity", function()
   it("alt: the vendor code that reuses a registered number", function()
      local c = smtpcodes.lookup("4.7.0")
      assert.is_nil(smtpcodes.lookup(550).alt)
      if c.alt then
         assert.are.equal("4.7.0", c.alt.code)
         assert.is_string(c.alt.vendor)
      end
      assert.are.equal("permanent", smtpcodes.lookup(550).permanence)
      assert.are.equal("temporary", smtpcodes.lookup("4.2.2").permanence)
   end)

   it("similarities: every shared aspect with its value", function()
      local c = smtpcodes.compare(450, 550)
      assert.is_true(#c.similarities > 0)
      for _, aspect in ipairs(c.similarities) do
         assert.are.equal("string", type(aspect))
         assert.are.equal("string", type(c.similarities[aspect]))
      end
      assert.are.equal("x5z Mail system", c.similarities.category)
   end)

   it("classify_many: holes are an error on every version, n counts", function()
      local ok, err = pcall(smtpcodes.classify_many, {"550 5.1.1 a", nil, "451 4.3.0 b"})
      assert.is_false(ok)
      assert.truthy(tostring(err):find("index 2", 1, true))
      local out = smtpcodes.classify_many({n = 2, "550 5.1.1 a", "451 4.3.0 b"})
      assert.are.equal(2, #out)
      assert.is_false(pcall(smtpcodes.classify_many, {n = 3, "550 5.1.1 a", "451 4.3.0 b"}))
      assert.are.equal(0, #smtpcodes.classify_many({}))
      assert.are.same(smtpcodes.reason("userunknown"), smtpcodes.reason_info("userunknown"))
   end)
end)
