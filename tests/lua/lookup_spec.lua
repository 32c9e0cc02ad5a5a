-- lookup(), the Code userdata and its metamethods; vectors: lookup.tsv, reference_codes.tsv
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")
local smtpcodes = require("smtpcodes")

local PERM_FIELD = {
   success = "is_success", intermediate = "is_intermediate",
   temporary = "is_transient", permanent = "is_permanent",
}

describe("lookup vectors (lookup.tsv)", function()
   for _, row in ipairs(H.read_tsv("lookup.tsv")) do
      local raw, status, kind, text, known, perm, eflags =
         row[1], row[2], row[3], row[4], row[5], row[6], row[7]
      local input = H.unescape(raw)
      it(("line %d: %s -> %s"):format(row.lineno, H.printable(raw), status), function()
         local c, msg, name = smtpcodes.lookup(input)
         if status == "ok" then
            assert.is_nil(msg)
            assert.are.equal("userdata", type(c))
            assert.are.equal(kind, c.kind)
            assert.are.equal(text, tostring(c.code))
            assert.are.equal(known == "1", c.known)
            for p, field in pairs(PERM_FIELD) do
               assert.are.equal(p == perm, c[field], field)
            end
            local f = H.set(eflags)
            assert.are.equal(f.standard == true, c.standard)
            assert.are.equal(f.deprecated == true, c.deprecated)
            assert.are.equal(f.vendor == true, c.vendor ~= nil)
            if kind == "basic" then
               assert.are.equal(tonumber(text), c.code)
            end
         else
            assert.is_nil(c)
            assert.are.equal("string", type(msg))
            assert.are.equal(status:match("^error:(.*)$"), name)
            -- the message quotes the input (escaped, truncated)
            assert.truthy(msg:find(H.quote(input), 1, true), msg)
         end
      end)
   end
end)

describe("reference codes (reference_codes.tsv)", function()
   -- A vendor code may reuse a registered number (4.7.29 is Gmail's and X.7.29
   -- IANA's): lookup() gives the registered meaning, iteration yields both entries.
   local entries = {}
   for _, c in smtpcodes.codes() do entries[c.kind .. " " .. tostring(c.code)] = c end
   for _, row in ipairs(H.read_tsv("reference_codes.tsv")) do
      local kind, code, standard, vendor = row[1], row[2], row[3], row[4]
      it(kind .. " " .. code, function()
         assert.is_true(assert(smtpcodes.lookup(code)).known)
         local c = entries[kind .. " " .. code]
         assert.is_not_nil(c, "not yielded by codes()")
         assert.are.equal(kind, c.kind)
         assert.is_true(c.known)
         assert.are.equal(standard == "1", c.standard)
         if vendor == "-" then
            assert.is_nil(c.vendor)
         else
            assert.are.equal(vendor, c.vendor)
         end
         local es = assert(smtpcodes.lookup(c, "es"))
         assert.are.equal("es", es.lang)
         assert.are.equal("string", type(es.title))
         assert.truthy(#es.title > 0)
      end)
   end
end)

describe("Code fields", function()
   it("exposes every field of API.md for a basic code", function()
      local c = assert(smtpcodes.lookup(550))
      assert.are.equal(550, c.code)
      assert.are.equal("basic", c.kind)
      for _, f in ipairs({ "title", "description", "when", "fix", "class_name", "category_name" }) do
         assert.are.equal("string", type(c[f]), f)
         assert.truthy(#c[f] > 0, f)
      end
      assert.are.same({ 5, 5, 0 }, c.digits)
      for _, f in ipairs({ "references", "commands", "basic_codes", "related" }) do
         assert.are.equal("table", type(c[f]), f)
         assert.is_true(H.is_sequence(c[f]), f)
      end
      assert.truthy(#c.commands > 0)
      assert.truthy(H.list_to_set(c.commands).RCPT)
      assert.are.same({}, c.basic_codes)
      for _, r in ipairs(c.references) do assert.are.equal("string", type(r)) end
      for _, r in ipairs(c.related) do assert.are.equal("userdata", type(r)) end
      assert.are.equal("Permanent Negative Completion", c.class_name:match("Permanent Negative Completion"))
      assert.are.equal("Mail system", c.category_name:match("Mail system"))
      assert.is_false(c.is_success)
      assert.is_false(c.is_intermediate)
      assert.is_false(c.is_transient)
      assert.is_true(c.is_permanent)
      assert.is_true(c.standard)
      assert.is_nil(c.vendor)
      assert.is_false(c.deprecated)
      assert.is_true(c.known)
      assert.are.equal("en", c.lang)
      assert.is_nil(c.no_such_field)
      assert.is_nil(c[1])
   end)

   it("exposes every field for an enhanced code", function()
      local c = assert(smtpcodes.lookup("5.1.1"))
      assert.are.equal("5.1.1", c.code)
      assert.are.equal("enhanced", c.kind)
      assert.are.same({ 5, 1, 1 }, c.digits)
      assert.are.same({}, c.commands)
      assert.truthy(#c.basic_codes > 0)
      for _, b in ipairs(c.basic_codes) do assert.are.equal("number", type(b)) end
      assert.truthy(c.title:find("mailbox", 1, true))
      assert.truthy(#c.references > 0)
      assert.truthy(c.references[1]:find("RFC", 1, true))
      assert.is_true(c.is_permanent)
      assert.is_true(c.standard)
      -- 5.1.1 and 550 are related
      local rel = {}
      for _, r in ipairs(c.related) do rel[tostring(r.code)] = true end
      assert.truthy(rel["550"])
   end)

   it("has related codes that are Codes in the same language", function()
      local c = assert(smtpcodes.lookup("5.1.1", "es"))
      assert.truthy(#c.related > 0)
      for _, r in ipairs(c.related) do
         assert.are.equal("es", r.lang)
         assert.is_true(r.known)
      end
   end)

   it("gives vendor codes a vendor", function()
      local c = assert(smtpcodes.lookup("5.7.606"))
      assert.are.equal("Microsoft 365", c.vendor)
      assert.is_false(c.standard)
      local r = assert(smtpcodes.lookup("5.7.606-649"))
      assert.are.equal("5.7.606-649", r.code)
   end)

   it("explains unknown well-formed codes from their digits", function()
      for _, s in ipairs({ 259, "259", "5.9.123", "4.9.999" }) do
         local c = assert(smtpcodes.lookup(s))
         assert.is_false(c.known)
         assert.truthy(#c.title > 0)
         assert.truthy(#c.description > 0)
         assert.are.same({}, c.references)
         assert.are.same({}, c.related)
         assert.is_false(c.standard)
         assert.is_nil(c.vendor)
      end
   end)

   it("accepts integers, numeric floats, strings with spaces, codes, and x.", function()
      assert.are.equal(550, smtpcodes.lookup(550.0).code)
      assert.are.equal(550, smtpcodes.lookup(" 550\r\n").code)
      assert.are.equal("X.7.1", smtpcodes.lookup("x.7.1").code)
      local c = smtpcodes.lookup(421)
      assert.are.equal(c, smtpcodes.lookup(c))
      assert.are.equal("es", smtpcodes.lookup(c, "es").lang)
      assert.are.equal("es", smtpcodes.lookup(smtpcodes.lookup(c, "es")).lang)
   end)

   it("rejects non-integral and out-of-range numbers with nil, message", function()
      for _, v in ipairs({ 550.5, -550, 99, 1000, 5500, 2^40, -2^40, 0 }) do
         local c, msg, name = smtpcodes.lookup(v)
         assert.is_nil(c)
         assert.are.equal("string", type(msg))
         assert.truthy(name == "syntax" or name == "range", name)
      end
      local nan = 0 / 0
      assert.is_nil((smtpcodes.lookup(nan)))
      assert.is_nil((smtpcodes.lookup(math.huge)))
      assert.is_nil((smtpcodes.lookup(-math.huge)))
   end)
end)

describe("languages of a Code", function()
   it("gives Spanish texts with lang 'es' and accepts region tags", function()
      local en = assert(smtpcodes.lookup("4.2.2"))
      local es = assert(smtpcodes.lookup("4.2.2", "es"))
      assert.are.equal("en", en.lang)
      assert.are.equal("es", es.lang)
      assert.are_not.equal(en.description, es.description)
      assert.are_not.equal(en.class_name, es.class_name)
      assert.are.equal("es", smtpcodes.lookup(550, "es-ES").lang)
      assert.are.equal("es", smtpcodes.lookup(550, "ES").lang)
      assert.are.equal("en", smtpcodes.lookup(550, "en_US").lang)
      assert.are.equal("en", smtpcodes.lookup(550, nil).lang)
   end)

   it("raises on an unknown language", function()
      assert.has_error(function() smtpcodes.lookup(550, "fr") end)
      assert.has_error(function() smtpcodes.lookup(550, "") end)
      assert.has_error(function() smtpcodes.lookup(550, {}) end)
      local ok, err = pcall(smtpcodes.lookup, 550, "xx")
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #2", 1, true), err)
      assert.truthy(err:find("'xx'", 1, true), err)
   end)
end)

describe("wrong argument types", function()
   local bad = { { "nil", nil }, { "table", {} }, { "boolean", true }, { "function", print } }
   for _, b in ipairs(bad) do
      it("lookup(" .. b[1] .. ") raises a standard bad argument error", function()
         local ok, err = pcall(smtpcodes.lookup, b[2])
         assert.is_false(ok)
         -- through pcall, Lua 5.1 and LuaJIT cannot name the function ('?')
         assert.truthy(err:find("bad argument #1 to '[%w%.]*lookup'") or err:find("bad argument #1 to '?'", 1, true), err)
         assert.truthy(err:find(b[1], 1, true), err)
      end)
   end
   it("lookup() with no argument raises", function()
      local ok, err = pcall(smtpcodes.lookup)
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #1", 1, true), err)
   end)
   it("a direct call names 'lookup'", function()
      local ok, err = pcall(function() local c = smtpcodes.lookup({}); return c end)
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #1 to 'lookup'", 1, true), err)
   end)
   it("lookup(io.stdout) (another userdata) raises", function()
      assert.has_error(function() smtpcodes.lookup(io.stdout) end)
   end)
end)

describe("metamethods", function()
   it("__tostring gives code and title", function()
      local c = smtpcodes.lookup("5.1.1")
      assert.are.equal("5.1.1 " .. c.title, tostring(c))
      assert.are.equal("550 " .. smtpcodes.lookup(550).title, tostring(smtpcodes.lookup(550)))
   end)

   it("__eq compares codes", function()
      assert.is_true(smtpcodes.lookup(550) == smtpcodes.lookup("550"))
      assert.is_true(smtpcodes.lookup(550) == smtpcodes.lookup(550, "es"))
      assert.is_false(smtpcodes.lookup(550) == smtpcodes.lookup(450))
      assert.is_false(smtpcodes.lookup("5.5.0") == smtpcodes.lookup(550))
      assert.is_false(smtpcodes.lookup(550) == 550)   -- different Lua types
   end)

   it("__lt / __le order basic before enhanced, then by digits", function()
      local a, b, e = smtpcodes.lookup(250), smtpcodes.lookup(550), smtpcodes.lookup("2.0.0")
      assert.is_true(a < b)
      assert.is_true(b < e)
      assert.is_true(a <= a)
      assert.is_true(a <= b)
      assert.is_false(b <= a)
      assert.is_true(e > b)
      assert.is_true(e >= e)
      assert.is_true(smtpcodes.lookup("X.7.1") < smtpcodes.lookup("5.7.1"))
      assert.is_true(smtpcodes.lookup("5.1.2") < smtpcodes.lookup("5.1.10"))
      assert.has_error(function() return a < 600 end)
   end)

   it("table.sort puts every code back in iteration order", function()
      local ordered, shuffled = {}, {}
      for _, c in smtpcodes.codes() do ordered[#ordered + 1] = c end
      -- deterministic shuffle
      local n, seed = #ordered, 12345
      for i = 1, n do shuffled[i] = ordered[i] end
      for i = n, 2, -1 do
         seed = (seed * 1103515245 + 12345) % 2147483648
         local j = seed % i + 1
         shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
      end
      table.sort(shuffled)
      for i = 1, n do
         assert.are.equal(tostring(ordered[i].code), tostring(shuffled[i].code))
      end
      table.sort(shuffled, function(x, y) return x > y end)
      assert.are.equal(ordered[n], shuffled[1])
   end)

   it("has a protected type name and no writable fields", function()
      local c = smtpcodes.lookup(550)
      assert.has_error(function() c.code = 1 end)
   end)
end)

describe("code cache", function()
   it("returns the same object for repeated lookups of (code, lang)", function()
      local a = smtpcodes.lookup(550)
      assert.is_true(rawequal(a, smtpcodes.lookup(550)))
      assert.is_true(rawequal(a, smtpcodes.lookup("550")))
      assert.is_true(rawequal(a, smtpcodes.lookup(" 550 ")))
      assert.is_false(rawequal(a, smtpcodes.lookup(550, "es")))
      local es = smtpcodes.lookup(550, "es")
      assert.is_true(rawequal(es, smtpcodes.lookup("550", "es-ES")))
      assert.is_true(rawequal(smtpcodes.lookup("X.7.1"), smtpcodes.lookup("x.7.1")))
      assert.is_true(rawequal(smtpcodes.lookup("5.9.123"), smtpcodes.lookup("5.9.123")))
      local first
      for _, c in smtpcodes.codes("basic") do first = first or c end
      assert.is_true(rawequal(first, smtpcodes.lookup(first.code)))
   end)

   it("keeps a vendor's reuse of a registered number apart", function()
      -- iteration yields both X.1.10 (IANA) and Microsoft's 5.1.10, if present
      local vendor
      for _, c in smtpcodes.codes("enhanced") do
         if c.vendor and not tostring(c.code):find("-", 1, true) then
            local reg = smtpcodes.lookup(c.code)
            if reg.standard then vendor = c; break end
         end
      end
      if not vendor then return end
      local reg = smtpcodes.lookup(vendor.code)
      assert.are.equal(tostring(vendor.code), tostring(reg.code))
      assert.is_false(rawequal(vendor, reg))
      assert.is_false(vendor == reg)
      assert.is_true(reg < vendor)
      assert.is_nil(reg.vendor)
      assert.is_true(rawequal(reg, smtpcodes.lookup(vendor.code)))
   end)
end)
