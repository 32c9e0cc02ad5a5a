-- classify, classify_many, reasons, reason.
-- Only clear-cut replies assert an exact reason: the phrase rules are being tuned,
-- so ambiguous texts are checked for shape, not for a verdict.
local smtpcodes = require("smtpcodes")
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")

local SISIMAI_REASONS = {
   "authfailure", "badreputation", "blocked", "contenterror", "delivered", "exceedlimit", "expired",
   "failedstarttls", "feedback", "filtered", "hasmoved", "hostunknown", "mailboxfull", "mailererror",
   "mesgtoobig", "networkerror", "norelaying", "notaccept", "notcompliantrfc", "onhold",
   "policyviolation", "rejected", "requireptr", "securityerror", "spamdetected", "speeding",
   "suppressed", "suspend", "syntaxerror", "systemerror", "systemfull", "toomanyconn", "undefined",
   "userunknown", "vacation", "virusdetected",
}
local PERMANENCES = H.list_to_set({ "success", "intermediate", "temporary", "permanent", "unknown" })
local EVIDENCE_KINDS = H.list_to_set({ "none", "phrase", "status", "reply", "subject", "success", "default", "words", "tag",
                                         "message" })

local USER_UNKNOWN = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown"
local MAILBOX_FULL = "452 4.2.2 Mailbox full"
local GREYLISTED = "450 4.2.0 Greylisted, see http://postgrey.example/"
local GODADDY = "550 5.1.1 <kijitora@example.com> - 203.0.113.222 has sent to too many recipients this hour."
   .. " IB607 <http://x.co/rlbounce>"
local DELIVERED = "250 2.0.0 OK queued"

local HUGE = ("x"):rep(100 * 1024)
local HUGE_REPLY = "550 5.1.1 " .. ("y"):rep(100 * 1024)
local NASTY = {
   "\0", "550\0", "\0550", "550 5.1.1 a\0b", "550 User\0unknown", "\255\254", "550 \255\254\253",
   "\192\128", "452 4.2.2 Mailbox \237\160\128 full \255", "5.\0.1", "550-\n550-\n",
   ("550-x\r\n"):rep(5000), ("5.1.1 "):rep(20000), HUGE, HUGE_REPLY, "%s%s%n%p",
   "\27[31m550\27[0m", "hello world", ("\n"):rep(10000) .. "x",
}

-- Every field of a classification has the documented type.
local function check_shape(c, where)
   where = where or ""
   assert.are.equal("table", type(c), where)
   assert.are.equal("string", type(c.reason), where)
   assert.truthy(smtpcodes.reason(c.reason), "reason() does not know " .. tostring(c.reason) .. where)
   assert.truthy(PERMANENCES[c.permanence], tostring(c.permanence) .. where)
   assert.are.equal("boolean", type(c.hard_bounce), where)
   assert.are.equal("boolean", type(c.retry), where)
   assert.are.equal("string", type(c.advice), where)
   assert.truthy(#c.advice > 0, where)
   assert.are.equal("string", type(c.evidence), where)
   assert.truthy(#c.evidence > 0, where)
   assert.truthy(EVIDENCE_KINDS[c.evidence_kind], tostring(c.evidence_kind) .. where)
   assert.truthy(c.phrase == nil or type(c.phrase) == "string", where)
   assert.truthy(c.vendor == nil or type(c.vendor) == "string", where)
   assert.are.equal(c.vendor, c.provider, where)
   assert.truthy(c.mta == nil or type(c.mta) == "string", where)
   assert.truthy(c.stage == nil or type(c.stage) == "string", where)
   assert.truthy(c.tag == nil or type(c.tag) == "string", where)
   assert.truthy(c.code == nil or (type(c.code) == "number" and c.code % 1 == 0), where)
   if math.type then assert.truthy(c.code == nil or math.type(c.code) == "integer", where) end
   assert.truthy(c.enhanced == nil or (type(c.enhanced) == "string" and c.enhanced:match("^%d%.%d+%.%d+$")), where)
   assert.are.equal("table", type(c.flags), where)
   assert.truthy(H.is_sequence(c.flags), where)
   for _, f in ipairs(c.flags) do assert.are.equal("string", type(f), where) end
   -- hard bounces are never retried
   if c.hard_bounce then assert.is_false(c.retry, where) end
end

local function flag_set(c) return H.list_to_set(c.flags) end

describe("reasons", function()
   it("lists Sisimai's vocabulary plus greylisted and none, each once", function()
      local list = smtpcodes.reasons()
      assert.truthy(H.is_sequence(list))
      local seen = {}
      for _, name in ipairs(list) do
         assert.are.equal("string", type(name))
         assert.is_nil(seen[name], "duplicate " .. name)
         seen[name] = true
      end
      for _, name in ipairs(SISIMAI_REASONS) do assert.truthy(seen[name], "missing " .. name) end
      assert.truthy(seen.greylisted)
      assert.truthy(seen.none)
      assert.are.equal(#SISIMAI_REASONS + 2, #list)
      assert.are_not.equal(list, smtpcodes.reasons())      -- a fresh table each call
   end)

   it("has a title, description and action in English and Spanish for every reason", function()
      for _, name in ipairs(smtpcodes.reasons()) do
         local en = assert(smtpcodes.reason(name))
         local en2 = assert(smtpcodes.reason(name, "en"))
         local es = assert(smtpcodes.reason(name, "es"))
         for _, r in ipairs({ en, en2, es }) do
            assert.are.equal(name, r.name)
            assert.are.equal("boolean", type(r.hard))
            for _, f in ipairs({ "title", "description", "action" }) do
               assert.are.equal("string", type(r[f]), name .. "." .. f)
               assert.truthy(#r[f] > 0, name .. "." .. f .. " is empty")
            end
         end
         assert.are.same(en, en2)
         assert.are.equal(en.hard, es.hard)
         assert.are_not.equal(en.description, es.description, name .. ": Spanish description is the English one")
         assert.are_not.equal(en.action, es.action, name .. ": Spanish action is the English one")
      end
   end)

   it("marks Sisimai's hard-bounce reasons as hard", function()
      for _, name in ipairs({ "userunknown", "hostunknown", "hasmoved" }) do
         assert.is_true(smtpcodes.reason(name).hard, name)
      end
      for _, name in ipairs({ "mailboxfull", "greylisted", "delivered", "speeding", "none", "undefined" }) do
         assert.is_false(smtpcodes.reason(name).hard, name)
      end
   end)

   it("returns nil, message for an unknown name and raises on wrong types", function()
      for _, s in ipairs({ "", "nope", "user unknown", "\0", "\255", HUGE }) do
         local r, msg, name = smtpcodes.reason(s)
         assert.is_nil(r)
         assert.are.equal("string", type(msg))
         assert.truthy(#msg < 200, msg)
         assert.truthy(msg:find(H.quote(s), 1, true), msg)
         assert.are.equal("string", type(name))
      end
      assert.has_error(function() smtpcodes.reason() end)
      assert.has_error(function() smtpcodes.reason({}) end)
      assert.has_error(function() smtpcodes.reason(true) end)
      assert.has_error(function() smtpcodes.reason("userunknown", "fr") end)
      assert.has_error(function() smtpcodes.reason("userunknown", {}) end)
   end)
end)

describe("classify", function()
   it("user unknown: permanent hard bounce, no retry", function()
      local c = assert(smtpcodes.classify(USER_UNKNOWN))
      check_shape(c)
      assert.are.equal("userunknown", c.reason)
      assert.are.equal("permanent", c.permanence)
      assert.is_true(c.hard_bounce)
      assert.is_false(c.retry)
      assert.are.equal(550, c.code)
      assert.are.equal("5.1.1", c.enhanced)
      assert.are.same({}, c.flags)
      assert.truthy(c.evidence:find("userunknown", 1, true), c.evidence)
   end)

   it("mailbox full: temporary, soft, retry", function()
      local c = assert(smtpcodes.classify(MAILBOX_FULL))
      check_shape(c)
      assert.are.equal("mailboxfull", c.reason)
      assert.are.equal("temporary", c.permanence)
      assert.is_false(c.hard_bounce)
      assert.is_true(c.retry)
      assert.are.equal(452, c.code)
      assert.are.equal("4.2.2", c.enhanced)
   end)

   it("greylisting: retry", function()
      local c = assert(smtpcodes.classify(GREYLISTED))
      check_shape(c)
      assert.are.equal("greylisted", c.reason)
      assert.are.equal("temporary", c.permanence)
      assert.is_false(c.hard_bounce)
      assert.is_true(c.retry)
   end)

   it("GoDaddy's 'too many recipients this hour' text outranks 5.1.1", function()
      local c = assert(smtpcodes.classify(GODADDY))
      check_shape(c)
      assert.are_not.equal("userunknown", c.reason)
      assert.is_false(c.hard_bounce)
      assert.are.equal("phrase", c.evidence_kind)
      assert.are.equal("string", type(c.phrase))
      assert.truthy(GODADDY:lower():find(c.phrase:lower(), 1, true), c.phrase)
      assert.truthy(c.evidence:find(c.phrase, 1, true), c.evidence)
      assert.truthy(c.evidence:lower():find("recipients this hour", 1, true), c.evidence)
      assert.truthy(c.evidence:find("5.1.1", 1, true), c.evidence)   -- says what it outranked
      assert.are.equal(550, c.code)
      assert.are.equal("5.1.1", c.enhanced)
   end)

   it("says the status decided when a suspend status outranks an ordinary phrase", function()
      local c = assert(smtpcodes.classify("550 5.7.13 Sender was not authorized, not authenticated"))
      assert.are.equal("suspend", c.reason)
      assert.are.equal("status", c.evidence_kind)
      assert.truthy(c.evidence:find("5.7.13", 1, true), c.evidence)
      local p = assert(smtpcodes.classify("550 5.7.13 Sender was not authenticated for public folder", "es"))
      assert.are.equal("securityerror", p.reason)            -- Microsoft's wording outranks the status
      assert.are.equal("phrase", p.evidence_kind)
      assert.truthy(p.evidence:find("Microsoft 365", 1, true), p.evidence)
   end)

   it("a positive reply is delivered, not a bounce", function()
      local c = assert(smtpcodes.classify(DELIVERED))
      check_shape(c)
      assert.are.equal("delivered", c.reason)
      assert.are.equal("success", c.permanence)
      assert.is_false(c.hard_bounce)
      assert.is_false(c.retry)
      assert.are.equal(250, c.code)
      assert.are.equal("2.0.0", c.enhanced)
   end)

   it("gives the advice and evidence in Spanish on request", function()
      for _, reply in ipairs({ USER_UNKNOWN, MAILBOX_FULL, GREYLISTED, GODADDY, DELIVERED }) do
         local en = assert(smtpcodes.classify(reply))
         local en2 = assert(smtpcodes.classify(reply, "en"))
         local es = assert(smtpcodes.classify(reply, "es"))
         check_shape(es, " (es)")
         assert.are.same(en, en2)
         assert.are_not.equal(en.advice, es.advice, reply)
         assert.are_not.equal(en.evidence, es.evidence, reply)
         -- the verdict does not depend on the language
         for _, f in ipairs({ "reason", "permanence", "hard_bounce", "retry", "evidence_kind", "phrase",
                              "vendor", "code", "enhanced" }) do
            assert.are.equal(en[f], es[f], reply .. " " .. f)
         end
         assert.are.same(en.flags, es.flags)
      end
   end)

   it("advice includes the reason's recommended action", function()
      local c = assert(smtpcodes.classify(MAILBOX_FULL, "es"))
      local r = assert(smtpcodes.reason(c.reason, "es"))
      assert.truthy(c.advice:find(r.action, 1, true), c.advice)
   end)

   it("handles multi-line replies and log lines", function()
      local c = assert(smtpcodes.classify("550-5.1.1 The email account that you tried to reach does not exist.\r\n"
         .. "550 5.1.1 Please try double-checking the recipient's email address. - gsmtp"))
      check_shape(c)
      assert.are.equal(550, c.code)
      assert.are.equal("permanent", c.permanence)
      local l = assert(smtpcodes.classify("Jan  1 00:00:00 mx postfix/smtp[1]: ABC: to=<a@b>, status=bounced "
         .. "(host mx.example[192.0.2.1] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command))"))
      check_shape(l)
      assert.are.equal(452, l.code)
      assert.are.equal("temporary", l.permanence)
   end)

   it("returns nil, message for empty and blank input", function()
      for _, s in ipairs({ "", " ", "   ", "\t\r\n", "\n\n\n" }) do
         local c, msg, name = smtpcodes.classify(s)
         assert.is_nil(c)
         assert.are.equal("string", type(msg))
         assert.truthy(msg:find(H.quote(s), 1, true), msg)
         assert.are.equal("empty", name)
         assert.is_nil((smtpcodes.classify(s, "es")))
      end
   end)

   it("never crashes on large, NUL or non-UTF-8 input", function()
      for i, s in ipairs(NASTY) do
         for _, lang in ipairs({ "en", "es" }) do
            local c, msg = smtpcodes.classify(s, lang)
            if c == nil then
               assert.are.equal("string", type(msg))
               assert.truthy(#msg < 400)
            else
               check_shape(c, " (input " .. i .. ")")
            end
         end
      end
      local big = assert(smtpcodes.classify(HUGE_REPLY))
      check_shape(big)
      assert.are.equal(550, big.code)
      assert.truthy(flag_set(big)["long-line"])
      assert.truthy(#big.evidence < 4096)
      local nul = assert(smtpcodes.classify("550 5.1.1 User\0unknown"))
      check_shape(nul)
      assert.truthy(flag_set(nul)["control-chars"])
      local bin = assert(smtpcodes.classify("452 4.2.2 Mailbox full \255\254"))
      assert.are.equal("mailboxfull", bin.reason)
   end)

   it("raises the standard bad-argument error on wrong types", function()
      local odd = { nil, {}, true, print, coroutine.create(function() end), io.stdout }
      for i = 1, 6 do
         local v = odd[i]
         local ok, err = pcall(smtpcodes.classify, v)
         assert.is_false(ok)
         assert.truthy(err:find("bad argument #1 to '[%w%.]*classify'") or err:find("bad argument #1 to '?'", 1, true),
            err)
      end
      assert.has_error(function() smtpcodes.classify() end)
      local ok, err = pcall(smtpcodes.classify, "550 x", "fr")
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #2", 1, true), err)
      assert.has_error(function() smtpcodes.classify("550 x", {}) end)
      assert.has_error(function() smtpcodes.classify("550 x", true) end)
   end)
end)

describe("classify_many", function()
   it("returns one entry per input, in order, equal to classify's", function()
      local lines = { USER_UNKNOWN, MAILBOX_FULL, GREYLISTED, GODADDY, DELIVERED, "hello", HUGE_REPLY }
      for _, lang in ipairs({ "en", "es" }) do
         local out = smtpcodes.classify_many(lines, lang)
         assert.truthy(H.is_sequence(out))
         assert.are.equal(#lines, #out)
         for i, line in ipairs(lines) do
            check_shape(out[i], " (entry " .. i .. ")")
            assert.are.same(assert(smtpcodes.classify(line, lang)), out[i])
         end
         assert.are.equal("userunknown", out[1].reason)
         assert.are.equal("mailboxfull", out[2].reason)
         assert.are.equal("greylisted", out[3].reason)
         assert.are_not.equal("userunknown", out[4].reason)
         assert.are.equal("delivered", out[5].reason)
      end
      assert.are.same(smtpcodes.classify_many(lines), smtpcodes.classify_many(lines, "en"))
      assert.are.same({}, smtpcodes.classify_many({}))
   end)

   it("keeps bad lines as error entries in their place", function()
      local lines = { "", USER_UNKNOWN, "   ", MAILBOX_FULL, "\n", "\0" }
      local out = smtpcodes.classify_many(lines)
      assert.are.equal(#lines, #out)
      for _, i in ipairs({ 1, 3, 5 }) do
         assert.are.equal("string", type(out[i].error), "entry " .. i)
         local _, msg = smtpcodes.classify(lines[i])
         assert.are.equal(msg, out[i].error)
         assert.is_nil(out[i].reason)
      end
      assert.are.equal("userunknown", out[2].reason)
      assert.are.equal("mailboxfull", out[4].reason)
      assert.is_nil(out[6].error)
      check_shape(out[6])
   end)

   it("classifies a large batch", function()
      local lines = {}
      for i = 1, 5000 do lines[i] = (i % 5 == 0) and "" or (i % 2 == 0 and MAILBOX_FULL or USER_UNKNOWN) end
      local out = smtpcodes.classify_many(lines)
      assert.are.equal(5000, #out)
      for i = 1, 5000 do
         if i % 5 == 0 then assert.truthy(out[i].error)
         elseif i % 2 == 0 then assert.are.equal("mailboxfull", out[i].reason)
         else assert.are.equal("userunknown", out[i].reason) end
      end
   end)

   it("raises a bad-argument error naming the index of a non-string element", function()
      for _, bad in ipairs({ {}, true, 550, print }) do
         local ok, err = pcall(smtpcodes.classify_many, { USER_UNKNOWN, MAILBOX_FULL, bad })
         assert.is_false(ok)
         assert.truthy(err:find("bad argument #1", 1, true), err)
         assert.truthy(err:find("index 3", 1, true), err)
         assert.truthy(err:find(type(bad), 1, true), err)
      end
      local ok, err = pcall(smtpcodes.classify_many, "550 x")
      assert.is_false(ok)
      assert.truthy(err:find("bad argument #1", 1, true), err)
      assert.has_error(function() smtpcodes.classify_many() end)
      assert.has_error(function() smtpcodes.classify_many(nil) end)
      assert.has_error(function() smtpcodes.classify_many({ "550 x" }, "fr") end)
      assert.has_error(function() smtpcodes.classify_many({ "550 x" }, 2) end)
   end)
end)

describe("classify memory", function()
   local batch = { USER_UNKNOWN, MAILBOX_FULL, "", GREYLISTED, GODADDY, DELIVERED, "\255\0", HUGE_REPLY }

   local function every_call(i)
      local lang = i % 2 == 0 and "es" or "en"
      smtpcodes.classify(USER_UNKNOWN .. " " .. i, lang)
      smtpcodes.classify(GODADDY)
      smtpcodes.classify("")
      smtpcodes.classify(("550-x " .. i .. "\r\n"):rep(20) .. "550 end")
      smtpcodes.classify_many(batch, lang)
      smtpcodes.reasons()
      smtpcodes.reason("mailboxfull", lang)
      smtpcodes.reason("nope")
      pcall(smtpcodes.classify, {})
      pcall(smtpcodes.classify, "550 x", "fr")
      pcall(smtpcodes.classify_many, { "550 x", false })
   end

   it("stays flat over a long loop", function()
      for i = 1, 200 do every_call(i) end              -- warm up
      collectgarbage("collect"); collectgarbage("collect")
      local before = collectgarbage("count")
      for i = 1, 2000 do every_call(i) end
      collectgarbage("collect"); collectgarbage("collect")
      local after = collectgarbage("count")
      assert.truthy(after - before < 128, ("grew %.1f KB (%.1f -> %.1f)"):format(after - before, before, after))
   end)
end)
