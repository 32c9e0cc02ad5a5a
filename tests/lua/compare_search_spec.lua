-- Comparisons mean meanings, command validity and search (issue 13; issue 15's word limit).
-- The command table is checked pair by pair against ../shared/reference/command_replies.tsv
-- (next to the repository); the test fails when that file is missing.
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")
local smtpcodes = require("smtpcodes")

local spec_dir = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local REFERENCE = spec_dir .. "../../../shared/reference/command_replies.tsv"

local function codes_of(list)
   local out = {}
   for i, c in ipairs(list) do out[i] = tostring(c.code) end
   return out
end

local function index_of(list, v)
   for i, x in ipairs(list) do if x == v then return i end end
   return nil
end

local function aspects(list)
   local t = {}
   for _, d in ipairs(list) do t[d.aspect] = d end
   return t
end

describe("compare: meanings", function()
   it("finds a code identical to itself, with no differences, and says so", function()
      for _, code in ipairs({ 550, "550", "5.1.1", "X.7.1", "5.7.606", "5.7.606-649", 259, "5.9.123" }) do
         for _, lang in ipairs({ "en", "es" }) do
            local c = assert(smtpcodes.compare(code, code, lang))
            assert.is_true(c.identical)
            assert.is_false(c.counterparts)
            assert.are.same({}, c.differences)
            assert.are.equal(8, #c.similarities)
            assert.truthy(c.summary:find(lang == "es" and "consigo mismo" or "with itself", 1, true), c.summary)
            assert.truthy(c.key_differences:find(lang == "es" and "Ninguna" or "None: it is the same code", 1, true))
            for _, text in ipairs({ c.text, c.markdown, c.html }) do
               assert.is_nil(text:find("only the", 1, true))
               assert.is_nil(text:find("solo cambia", 1, true))
            end
         end
      end
   end)

   it("shows the meanings of siblings as their difference", function()
      for _, pair in ipairs({ { "5.1.1", "5.1.10" }, { 550, 551 }, { 450, 451 }, { "5.7.1", "5.7.26" } }) do
         local c = assert(smtpcodes.compare(pair[1], pair[2]))
         assert.is_false(c.identical)
         local sim = H.list_to_set(c.similarities)
         assert.truthy(sim.class and sim.category)
         local m = aspects(c.differences).meaning
         assert.truthy(m, tostring(pair[1]))
         assert.are.equal(c.a.title, m.value_a)
         assert.are.equal(c.b.title, m.value_b)
         assert.truthy(c.summary:find("mean different things", 1, true))
         assert.truthy(c.key_differences:find("Meaning", 1, true))
         assert.is_nil(c.key_differences:find("only the", 1, true))
         local es = assert(smtpcodes.compare(pair[1], pair[2], "es"))
         assert.truthy(aspects(es.differences).significado)
         assert.truthy(es.summary:find("no significan lo mismo", 1, true))
         -- HTML table: the differences first, the meaning first of them
         local body = c.html:sub((c.html:find("<tbody>", 1, true)))
         local rows = {}
         for kind, name in body:gmatch('<tr class="smtpcodes%-(%a+)"><th[^>]*>([^<]*)</th>') do
            rows[#rows + 1] = { kind, name }
         end
         assert.are.equal(8, #rows)
         assert.are.same({ "differs", "Meaning" }, rows[1])
         local seen_same = false
         for _, r in ipairs(rows) do
            if r[1] == "same" then seen_same = true else assert.is_false(seen_same) end
         end
      end
   end)

   it("shares a meaning between counterparts and within one range", function()
      local p = assert(smtpcodes.compare("4.2.2", "5.2.2"))
      assert.is_true(p.counterparts)
      assert.truthy(H.list_to_set(p.similarities).meaning)
      local r = assert(smtpcodes.compare("5.7.606", "5.7.620"))
      assert.is_false(r.identical)
      assert.are.same({}, r.differences)
      assert.truthy(r.key_differences:find("only the number differs", 1, true))
   end)

   it("shares range membership only within the same range", function()
      local c = assert(smtpcodes.compare("5.7.606", "5.7.708"))
      local st = aspects(c.differences).standard
      assert.truthy(st)
      assert.truthy(st.value_a:find("5.7.606-649", 1, true))
      assert.truthy(st.value_b:find("5.7.700-749", 1, true))
      local tbl = c.html:sub((c.html:find("<tbody>", 1, true)), (c.html:find("</table>", 1, true)))
      local shared = tbl:find('class="smtpcodes-same"', 1, true)
      assert.is_true(not shared or not tbl:find("5.7.606-649", shared, true))
      assert.truthy(H.list_to_set(assert(smtpcodes.compare("5.7.606", "5.7.640")).similarities).standard)
      assert.truthy(aspects(assert(smtpcodes.compare("5.7.606", "5.7.1")).differences).standard)
   end)
end)

describe("related", function()
   it("never lists the code itself or a range", function()
      for _, c in smtpcodes.codes() do
         for _, r in ipairs(c.related) do
            local t = tostring(r.code)
            assert.is_nil(t:find("-", 1, true), tostring(c.code) .. " lists " .. t)
            assert.are_not.equal(tostring(c.code), t)
            assert.are_not.equal(c, r)
         end
      end
      local rel = codes_of(smtpcodes.lookup("5.7.1").related)
      assert.is_nil(index_of(rel, "5.7.1"))
      assert.is_nil(index_of(rel, "4.7.1"))
      assert.truthy(#rel > 0)
      for _, t in ipairs(codes_of(smtpcodes.lookup("4.7.500").related)) do
         assert.is_nil(t:find("-", 1, true))
      end
   end)
end)

-- ---- command validity ------------------------------------------------------------------

local split_tabs = H.split_tabs

local function reference_rows()
   local f = io.open(REFERENCE, "rb")
   assert(f, REFERENCE .. " missing: the reference table lives next to the repository")
   local rows, header = {}, nil
   for line in f:lines() do
      line = line:gsub("\r$", "")
      if not header then
         header = line
      elseif line ~= "" then
         local r = split_tabs(line)
         local codes = {}
         for i = 2, 4 do for n in (r[i] or ""):gmatch("%d+") do codes[#codes + 1] = tonumber(n) end end
         rows[#rows + 1] = { command = r[1], codes = codes, source = r[5] or "", notes = r[6] or "" }
      end
   end
   f:close()
   assert(header and header:find("^command\t"), "header row")
   return rows
end

local COMMANDS = {}
for i, name in ipairs({ "CONNECTION", "ANY", "EHLO", "HELO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "BURL", "RSET",
                        "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH", "ETRN", "ATRN", "TURN", "SEND",
                        "SOML", "SAML" }) do
   COMMANDS[i] = name
end
local REAL = {}
for _, c in ipairs(COMMANDS) do if c ~= "CONNECTION" and c ~= "ANY" then REAL[#REAL + 1] = c end end

-- The commands an ANY row exempts (names after "except" / "other than" in its notes, to the
-- end of that sentence), nil when none. LHLO is LMTP's EHLO (RFC 2033 4.1); STARTTLS is exempt
-- from 530 (RFC 3207 4), under RFC 4954 too.
local function exempt_of(row)
   local list = row.notes:match("except ([^.]*)") or row.notes:match("other than ([^.]*)")
   if not list then return nil end
   local known, out = H.list_to_set(COMMANDS), {}
   for w in list:gmatch("%u%u%u+") do if known[w] then out[w] = true end end
   if out.EHLO then out.LHLO = true end
   if row.source:find("^RFC 4954") then out.STARTTLS = true end
   return out
end

describe("command validity", function()
   it("reads the whole reference table", function()
      local rows = reference_rows()
      local pairs_n, names = 0, {}
      for _, r in ipairs(rows) do pairs_n = pairs_n + #r.codes; names[r.command] = true end
      assert.truthy(#rows >= 60 and pairs_n >= 200)
      for _, c in ipairs(COMMANDS) do assert.truthy(names[c], c) end
   end)

   it("accepts every (command, code) pair of the reference table", function()
      local checked = 0
      for _, row in ipairs(reference_rows()) do
         for _, code in ipairs(row.codes) do
            if not row.source:find("^RFC") then   -- registry-only basic codes: no RFC reply
               assert.is_false(smtpcodes.is_valid_reply(row.command, code), row.command .. " " .. code)
            elseif row.command ~= "ANY" then
               assert.is_true(smtpcodes.is_valid_reply(row.command, code), row.command .. " " .. code)
            else
               local exempt = exempt_of(row)
               for _, cmd in ipairs(REAL) do
                  if not (exempt and exempt[cmd]) then
                     assert.is_true(smtpcodes.is_valid_reply(cmd, code), cmd .. " " .. code .. " " .. row.source)
                     checked = checked + 1
                  end
               end
               if not exempt then assert.is_true(smtpcodes.is_valid_reply("ANY", code)) end
            end
            checked = checked + 1
         end
      end
      assert.truthy(checked > 300)
   end)

   it("gives each command exactly the reference's codes", function()
      local want = {}
      for _, c in ipairs(COMMANDS) do want[c] = {} end
      for _, row in ipairs(reference_rows()) do
         if row.source:find("^RFC") then
            if row.command ~= "ANY" then
               for _, code in ipairs(row.codes) do want[row.command][code] = true end
            else
               local exempt = exempt_of(row)
               for _, cmd in ipairs(REAL) do
                  if not (exempt and exempt[cmd]) then
                     for _, code in ipairs(row.codes) do want[cmd][code] = true end
                  end
               end
               if not exempt then for _, code in ipairs(row.codes) do want.ANY[code] = true end end
            end
         end
      end
      want.CONNECTION[421] = true   -- RFC 5321 3.8: a server that must shut down greets with 421
      for _, cmd in ipairs(COMMANDS) do
         local got, prev = {}, 0
         for _, c in ipairs(assert(smtpcodes.replies_for(cmd))) do
            assert.truthy(c.code > prev)
            prev = c.code
            got[c.code] = true
            assert.truthy(want[cmd][c.code], cmd .. " may get " .. c.code .. ", which the reference does not list")
         end
         for code in pairs(want[cmd]) do assert.truthy(got[code], cmd .. ": " .. code .. " missing") end
      end
      assert.are.same({ 220, 421, 521, 554 }, (function()
         local t = {}
         for i, c in ipairs(smtpcodes.replies_for("CONNECTION")) do t[i] = c.code end
         return t
      end)())
   end)

   it("refuses the exempt pairs and keeps the others", function()
      local cases = {
         { "QUIT", 530, false }, { "QUIT", 554, false }, { "NOOP", 530, false }, { "STARTTLS", 530, false },
         { "EHLO", 530, false }, { "LHLO", 530, false }, { "CONNECTION", 500, false }, { "CONNECTION", 501, false },
         { "CONNECTION", 530, false }, { "ANY", 530, false }, { "ANY", 554, false }, { "AUTH", 422, false },
         { "AUTH", 523, false }, { "AUTH", 524, false }, { "AUTH", 525, false }, { "QUIT", 250, false },
         { "HELO", 530, true }, { "RSET", 530, true }, { "AUTH", 530, true }, { "mail from:<a@example.org>", 530, true },
         { "NOOP", 554, true }, { "STARTTLS", 554, true }, { "CONNECTION", 220, true }, { "CONNECTION", 421, true },
         { "CONNECTION", 521, true }, { "QUIT", 221, true }, { "QUIT", 421, true }, { "QUIT", 501, true },
      }
      for _, t in ipairs(cases) do
         assert.are.equal(t[3], smtpcodes.is_valid_reply(t[1], t[2]), t[1] .. " " .. t[2])
      end
   end)

   it("lists in commands what is_valid_reply accepts", function()
      for _, c in smtpcodes.codes("basic") do
         local listed = H.list_to_set(c.commands)
         for _, cmd in ipairs(COMMANDS) do
            local want = listed[cmd] or (cmd ~= "CONNECTION" and cmd ~= "ANY" and listed.ANY) or false
            assert.are.equal(want, smtpcodes.is_valid_reply(cmd, c), tostring(c.code) .. " " .. cmd)
         end
      end
   end)
end)

-- ---- search -------------------------------------------------------------------------------

describe("search (issue 13)", function()
   it("searches both languages by default, accents and case folded", function()
      local found = codes_of(assert(smtpcodes.search("buzón lleno")))
      assert.truthy(index_of(found, "552") and index_of(found, "X.2.2"))
      assert.are.same(found, codes_of(assert(smtpcodes.search("buzón lleno", nil))))
      assert.are.same(found, codes_of(assert(smtpcodes.search("BUZÓN LLENO"))))
      assert.are.same(found, codes_of(assert(smtpcodes.search("buzon, lleno"))))
      assert.are.equal(0, #assert(smtpcodes.search("destinatario", "en")))
      -- a synonym (search.toml): its English terms are looked for in the English texts
      assert.truthy(index_of(codes_of(assert(smtpcodes.search("buzón lleno", "en"))), "X.2.2"))
      assert.truthy(index_of(codes_of(assert(smtpcodes.search("buzón lleno", "es"))), "X.2.2"))
   end)

   it("knows the words users type for what the texts say otherwise (search.toml)", function()
      local found = codes_of(assert(smtpcodes.search("blacklist")))
      assert.truthy(index_of(found, "X.7.1"))
      assert.are.same(found, codes_of(assert(smtpcodes.search("blacklisted"))))
      assert.are.same(found, codes_of(assert(smtpcodes.search("listas negras"))))
      assert.truthy(#assert(smtpcodes.search("lista")) > #found)
      local tss = codes_of(assert(smtpcodes.search("TSS04")))
      assert.truthy(#tss > 0)
      assert.are.same(tss, codes_of(assert(smtpcodes.search("[tss04]"))))
   end)

   it("indexes every text: when and fix too", function()
      for _, w in ipairs({ "greylisted", "too many connections", "local_recipient_maps", "virtual_mailbox_maps" }) do
         assert.truthy(#assert(smtpcodes.search(w)) > 0, w)
      end
   end)

   it("ranks the exact code first, then title matches, then the rest, stable", function()
      assert.are.equal("X.1.1", codes_of(assert(smtpcodes.search("5.1.1")))[1])
      local ten = codes_of(assert(smtpcodes.search("5.1.10")))
      assert.are.same({ "X.1.10", "5.1.10" }, { ten[1], ten[2] })
      assert.are.equal(550, assert(smtpcodes.search("550"))[1].code)
      assert.are.equal("5.7.606-649", codes_of(assert(smtpcodes.search("5.7.620")))[1])
      local order = {}
      local i = 0
      for _, c in smtpcodes.codes() do i = i + 1; order[tostring(c.code)] = i end
      local found = assert(smtpcodes.search("mailbox", "en"))
      assert.truthy(#found > 10)
      local function tier(c)
         if c.title:lower():find("mailbox", 1, true) then return 0 end
         if c.description:lower():find("mailbox", 1, true) then return 1 end
         return 2
      end
      for k = 2, #found do
         local a, b = found[k - 1], found[k]
         assert.truthy(tier(a) < tier(b) or (tier(a) == tier(b) and order[tostring(a.code)] < order[tostring(b.code)]),
                       tostring(a.code) .. " before " .. tostring(b.code))
      end
      for _, c in smtpcodes.codes() do
         local top = codes_of(assert(smtpcodes.search(tostring(c.code))))
         assert.truthy(top[1] == tostring(c.code) or top[2] == tostring(c.code), tostring(c.code))
      end
   end)

   it("refuses an over-long query instead of dropping words", function()
      assert.are.equal(0, #assert(smtpcodes.search(string.rep("mailbox ", 16) .. "zzzzqqq")))
      assert.are.equal(0, #assert(smtpcodes.search(string.rep("mailbox ", 15) .. "zzzzqqq")))
      assert.truthy(#assert(smtpcodes.search(string.rep("mailbox ", 32))) > 0)
      local r, msg, name = smtpcodes.search(string.rep("mailbox ", 33))
      assert.is_nil(r)
      assert.are.equal("query", name)
      assert.truthy(msg:find("32 words", 1, true))
      assert.are.equal(0, #assert(smtpcodes.search(string.rep("a", 64))))
      r, msg, name = smtpcodes.search(string.rep("a", 65))
      assert.is_nil(r)
      assert.are.equal("query", name)
   end)
end)
