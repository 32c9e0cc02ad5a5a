-- parse(); vectors: parse.tsv
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")
local smtpcodes = require("smtpcodes")

local FIELDS = { code = true, enhanced = true, lines = true, text = true, multiline = true,
   flags = true, permanence = true, reply_code = true, status_code = true, stage = true }

describe("parse vectors (parse.tsv)", function()
   for _, row in ipairs(H.read_tsv("parse.tsv")) do
      local mode, raw, status, code, enhanced, perm, flags, nlines =
         row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]
      local input = H.unescape(raw)
      local label = raw:sub(1, 50) .. (#raw > 50 and "..." or "")
      it(("line %d: %s %s -> %s"):format(row.lineno, mode, H.printable(label), status), function()
         local r, msg, name = smtpcodes.parse(input, { strict = (mode == "strict") })
         if status ~= "ok" then
            assert.is_nil(r)
            assert.are.equal("string", type(msg))
            assert.are.equal(status:match("^error:(.*)$"), name)
            assert.truthy(msg:find(H.quote(input), 1, true), msg)
            return
         end
         assert.is_nil(msg)
         for k in pairs(r) do assert.truthy(FIELDS[k], "unexpected field " .. tostring(k)) end
         if code == "-" then
            assert.is_nil(r.code)
            assert.is_nil(r.reply_code)
         else
            assert.are.equal(tonumber(code), r.code)
            assert.are.equal(tonumber(code), r.reply_code.code)
         end
         if enhanced == "-" then
            assert.is_nil(r.enhanced)
            assert.is_nil(r.status_code)
         else
            assert.are.equal(enhanced, r.enhanced)
            assert.are.equal(enhanced, r.status_code.code)
         end
         assert.are.equal(perm, r.permanence)
         assert.are.same(H.set(flags), H.list_to_set(r.flags))
         assert.are.equal(#r.flags, (function() local n = 0 for _ in pairs(H.set(flags)) do n = n + 1 end return n end)())
         assert.are.equal(tonumber(nlines), #r.lines)
         assert.are.equal(H.set(flags).multiline == true, r.multiline)
         assert.are.equal("string", type(r.text))
         assert.is_true(H.is_sequence(r.lines))
      end)
   end
end)

describe("parse results", function()
   it("returns a table with every field, markdown and html rendered on first access", function()
      local r = assert(smtpcodes.parse("550-5.7.1 Message rejected\r\n550 5.7.1 See policy\r\n"))
      assert.are.equal(550, r.code)
      assert.are.equal("5.7.1", r.enhanced)
      assert.are.same({ "550-5.7.1 Message rejected", "550 5.7.1 See policy" }, r.lines)
      assert.are.equal("Message rejected\nSee policy", r.text)
      assert.is_true(r.multiline)
      assert.are.same({ "multiline" }, r.flags)
      assert.are.equal("permanent", r.permanence)
      assert.are.equal(smtpcodes.lookup(550), r.reply_code)
      assert.are.equal(smtpcodes.lookup("5.7.1"), r.status_code)
      assert.are.equal("en", r.status_code.lang)
      -- every data field is a plain field (pairs sees them); only the renderings are lazy
      assert.is_nil(rawget(r, "html"))
      assert.are.equal("smtpcodes.Reply", getmetatable(r).__name)
      local html = r.html
      assert.truthy(html:find('^<section class="smtpcodes smtpcodes%-reply"'))
      assert.are.equal(html, rawget(r, "html"))
      assert.truthy(r.markdown:find("^## "))
      assert.is_nil(r.no_such_field)
   end)

   it("lets the basic code decide the permanence", function()
      local r = assert(smtpcodes.parse("550 4.4.7 Message expired"))
      assert.are.equal("permanent", r.permanence)
      assert.are.same({ "class-mismatch" }, r.flags)
   end)

   it("is lenient by default and strict with opts.strict", function()
      assert.is_not_nil(smtpcodes.parse("dsn=5.1.1, status=bounced (said: 550 5.1.1 unknown)"))
      assert.is_nil(smtpcodes.parse("dsn=5.1.1, status=bounced (said: 550 5.1.1 unknown)", { strict = true }))
      assert.is_not_nil(smtpcodes.parse("5.1.1", {}))
      assert.is_not_nil(smtpcodes.parse("5.1.1", { strict = false }))
      assert.is_not_nil(smtpcodes.parse("5.1.1", nil))
      local r, msg, name = smtpcodes.parse("5.1.1", { strict = 1 })   -- truthy
      assert.is_nil(r)
      assert.are.equal("syntax", name)
      assert.truthy(msg:find("'5.1.1'", 1, true))
   end)

   it("keeps only the first 32 lines but flags truncation", function()
      local lines = {}
      for i = 1, 40 do lines[i] = "250-line " .. i end
      lines[40] = "250 last"
      local r = assert(smtpcodes.parse(table.concat(lines, "\r\n")))
      assert.are.equal(32, #r.lines)
      assert.truthy(H.list_to_set(r.flags).truncated)
   end)

   it("accepts a number as the reply (Lua string coercion)", function()
      assert.are.equal(550, assert(smtpcodes.parse(550)).code)
   end)

   it("raises on wrong argument types", function()
      for _, v in ipairs({ {}, true, print }) do
         local ok, err = pcall(smtpcodes.parse, v)
         assert.is_false(ok)
         assert.truthy(err:find("bad argument #1 to '[%w%.]*parse'") or err:find("bad argument #1 to '?'", 1, true), err)
      end
      local ok, err = pcall(smtpcodes.parse)
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #1", 1, true), err)
      ok, err = pcall(smtpcodes.parse, nil)
      assert.is_false(ok)
      ok, err = pcall(smtpcodes.parse, "550 x", "strict")
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #2 to '[%w%.]*parse'") or err:find("bad argument #2 to '?'", 1, true), err)
      assert.has_error(function() smtpcodes.parse("550 x", true) end)
   end)
end)
