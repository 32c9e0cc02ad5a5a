-- codes(), search(), replies_for(), is_valid_reply(), languages(), versions, globals
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")
local smtpcodes = require("smtpcodes")

describe("module", function()
   it("has version strings", function()
      assert.are.equal("string", type(smtpcodes._VERSION))
      assert.truthy(smtpcodes._VERSION:match("^%d+%.%d+%.%d+"))
      assert.are.equal("string", type(smtpcodes.DATA_VERSION))
      assert.truthy(#smtpcodes.DATA_VERSION > 0)
   end)

   it("lists its languages", function()
      assert.are.same({ "en", "es" }, smtpcodes.languages())
      assert.are_not.equal(smtpcodes.languages(), smtpcodes.languages())   -- a fresh table
   end)

   it("creates no global when required", function()
      local before = {}
      for k in pairs(_G) do before[k] = true end
      local saved = package.loaded.smtpcodes
      package.loaded.smtpcodes = nil
      local m = require("smtpcodes")
      package.loaded.smtpcodes = saved
      for k in pairs(_G) do assert.truthy(before[k], "new global " .. tostring(k)) end
      assert.is_nil(rawget(_G, "smtpcodes"))
      -- a second copy of the module shares the Code type
      assert.are.equal(m.lookup(550), smtpcodes.lookup(550))
      assert.is_true(rawequal(m.lookup(550), smtpcodes.lookup(550)))
   end)

   it("exports only functions and version strings", function()
      for k, v in pairs(smtpcodes) do
         if k == "_VERSION" or k == "DATA_VERSION" then
            assert.are.equal("string", type(v))
         else
            assert.are.equal("function", type(v), k)
         end
      end
   end)
end)

describe("codes", function()
   it("iterates every code in order", function()
      local all, prev, n = {}, nil, 0
      for i, c in smtpcodes.codes() do
         n = n + 1
         assert.are.equal(n, i)
         assert.is_true(c.known)
         if prev then assert.is_true(prev < c) end
         prev = c
         all[#all + 1] = c
      end
      assert.truthy(n > 150)
      assert.are.equal("basic", all[1].kind)
      assert.are.equal("enhanced", all[#all].kind)
   end)

   it("filters by kind", function()
      local nb, ne, nall = 0, 0, 0
      for _ in smtpcodes.codes() do nall = nall + 1 end
      for i, c in smtpcodes.codes("basic") do
         nb = nb + 1
         assert.are.equal(nb, i)
         assert.are.equal("basic", c.kind)
         assert.are.equal("number", type(c.code))
      end
      for i, c in smtpcodes.codes("enhanced") do
         ne = ne + 1
         assert.are.equal(ne, i)
         assert.are.equal("enhanced", c.kind)
         assert.are.equal("string", type(c.code))
      end
      assert.truthy(nb > 0 and ne > 0)
      assert.are.equal(nall, nb + ne)
      local n = 0
      for _ in smtpcodes.codes(nil) do n = n + 1 end
      assert.are.equal(nall, n)
   end)

   it("yields every reference code", function()
      local seen = {}
      for _, c in smtpcodes.codes() do seen[c.kind .. " " .. tostring(c.code)] = true end
      for _, row in ipairs(H.read_tsv("reference_codes.tsv")) do
         assert.truthy(seen[row[1] .. " " .. row[2]], row[2])
      end
   end)

   it("takes an optional language", function()
      for _, c in smtpcodes.codes("basic", "es") do assert.are.equal("es", c.lang) end
   end)

   it("can be restarted and run nested", function()
      local outer = 0
      for _, a in smtpcodes.codes("basic") do
         outer = outer + 1
         if outer > 3 then break end
         local inner = 0
         for _ in smtpcodes.codes("basic") do inner = inner + 1 end
         assert.truthy(inner > 3)
         assert.are.equal("basic", a.kind)
      end
   end)

   it("raises on a bad kind", function()
      assert.has_error(function() smtpcodes.codes("vendor") end)
      assert.has_error(function() smtpcodes.codes({}) end)
      assert.has_error(function() smtpcodes.codes("basic", "fr") end)
   end)
end)

describe("search", function()
   it("finds codes, best first", function()
      local found = assert(smtpcodes.search("mailbox"))
      assert.truthy(#found > 0)
      assert.is_true(H.is_sequence(found))
      for _, c in ipairs(found) do assert.are.equal("userdata", type(c)) end
      local exact = assert(smtpcodes.search("5.1.1"))
      local codes = {}
      for _, c in ipairs(exact) do codes[c.code] = true end
      assert.truthy(codes["5.1.1"] or codes["X.1.1"])
      local r = assert(smtpcodes.search("550"))
      assert.are.equal(550, r[1].code)
   end)

   it("searches one language or both", function()
      local es = assert(smtpcodes.search("buzón", "es"))
      assert.truthy(#es > 0)
      assert.are.equal("es", es[1].lang)
      assert.are.equal("en", assert(smtpcodes.search("mailbox"))[1].lang)
      assert.are.equal(0, #assert(smtpcodes.search("buzón", "en")))
      assert.truthy(#assert(smtpcodes.search("buzon")) > 0)          -- both, accent-insensitive
      assert.are.equal(0, #assert(smtpcodes.search("zzzzqqqq")))
   end)

   it("returns nil, message for empty words, raises on bad types", function()
      local r, msg, name = smtpcodes.search("  ")
      assert.is_nil(r)
      assert.are.equal("empty", name)
      assert.are.equal("string", type(msg))
      assert.has_error(function() smtpcodes.search({}) end)
      assert.has_error(function() smtpcodes.search() end)
      assert.has_error(function() smtpcodes.search("mail", "fr") end)
   end)
end)

describe("replies_for and is_valid_reply", function()
   it("lists the codes a command may return", function()
      local codes = assert(smtpcodes.replies_for("RCPT"))
      assert.truthy(#codes > 0)
      local set = {}
      for i, c in ipairs(codes) do
         set[c.code] = true
         assert.are.equal("basic", c.kind)
         if i > 1 then assert.is_true(codes[i - 1] < c) end
      end
      assert.truthy(set[250] and set[550])
      assert.are.equal(#codes, #assert(smtpcodes.replies_for("rcpt to:<bob@example.org>")))
      assert.truthy(#assert(smtpcodes.replies_for("CONNECTION")) > 0)
   end)

   it("checks a reply against a command", function()
      assert.is_true(smtpcodes.is_valid_reply("RCPT", 550))
      assert.is_true(smtpcodes.is_valid_reply("DATA", "354"))
      assert.is_false(smtpcodes.is_valid_reply("HELO", 354))
      assert.is_true(smtpcodes.is_valid_reply("RCPT", "5.1.1"))
      assert.is_true(smtpcodes.is_valid_reply("RCPT", smtpcodes.lookup(250)))
      assert.are.equal("boolean", type(smtpcodes.is_valid_reply("MAIL", 259)))
   end)

   it("returns nil, message for unknown commands or malformed codes", function()
      local r, msg, name = smtpcodes.replies_for("FROB")
      assert.is_nil(r)
      assert.are.equal("command", name)
      assert.truthy(msg:find("'FROB'", 1, true))
      r, msg, name = smtpcodes.replies_for("")
      assert.is_nil(r)
      assert.are.equal("empty", name)
      r, msg, name = smtpcodes.is_valid_reply("FROB", 550)
      assert.is_nil(r)
      assert.are.equal("command", name)
      r, msg, name = smtpcodes.is_valid_reply("RCPT", "55")
      assert.is_nil(r)
      assert.are.equal("syntax", name)
   end)

   it("raises on wrong types", function()
      assert.has_error(function() smtpcodes.replies_for() end)
      assert.has_error(function() smtpcodes.replies_for({}) end)
      assert.has_error(function() smtpcodes.is_valid_reply("RCPT") end)
      assert.has_error(function() smtpcodes.is_valid_reply("RCPT", {}) end)
      assert.has_error(function() smtpcodes.is_valid_reply(nil, 550) end)
   end)
end)
