-- parse_bounce(); vectors: bounces/*.eml with bounces/expected.tsv (shared with C and Python)
local H = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")
local smtpcodes = require("smtpcodes")

local read = H.read_bounce

local function rows()
   local out, header = {}, nil
   for line in io.lines(H.vectors_dir .. "bounces/expected.tsv") do
      local cols, i = {}, 1
      for field in (line .. "\t"):gmatch("([^\t]*)\t") do cols[i] = field; i = i + 1 end
      if not header then header = cols
      else
         local row = {}
         for k, name in ipairs(header) do row[name] = cols[k] or "" end
         out[#out + 1] = row
      end
   end
   return out
end

describe("parse_bounce vectors", function()
   local kinds = {}
   for _, row in ipairs(rows()) do
      it(row.file .. " -> " .. row.kind, function()
         local b = smtpcodes.parse_bounce(read(row.file))
         kinds[b.kind] = true
         assert.are.equal(row.kind, b.kind)
         assert.are.equal(row.format, b.format or "")
         assert.are.equal(tonumber(row.nrecipients), #b.recipients)
         assert.is_false(b.truncated)
         local r = b.recipients[1]
         if r then
            assert.are.equal(row.recipient, r.recipient)
            assert.are.equal(row.action, r.action or "")
            assert.are.equal(row.status, r.status or "")
            assert.are.equal(row.reason, r.classification.reason)
            assert.are.equal(row.stage, r.stage or "")
            assert.are.equal(row.evidence_kind, r.classification.evidence_kind)
            for _, l in ipairs({ { "en", "neither a code" }, { "es", "ni ninguna frase" } }) do
               local ev = smtpcodes.parse_bounce(read(row.file), l[1]).recipients[1].classification.evidence
               assert.truthy(ev:find(row.reason, 1, true), ev)      -- the evidence names what decided
               assert.is_nil(ev:find(l[2], 1, true), ev)
            end
         end
         assert.truthy(b.text:find("Bounce message", 1, true))
         assert.truthy(b.html:find('class="smtpcodes smtpcodes-bounce"', 1, true))
         assert.truthy(#b.markdown > 0)
      end)
   end
   it("covers every kind", function()
      for _, k in ipairs({ "bounce", "delay", "feedback", "autoreply", "delivered", "other" }) do
         assert.is_true(kinds[k], k)
      end
   end)
end)

describe("parse_bounce fields", function()
   it("reads a Postfix DSN", function()
      local b = smtpcodes.parse_bounce(read("postfix-userunknown.eml"), "es")
      assert.are.equal("dns; mx.example.net", b.reporting_mta)
      assert.are.equal("Hola Bob", b.original.subject)
      local r = b.recipients[1]
      assert.are.equal(550, r.reply.code)
      assert.are.equal("5.1.1", r.reply.enhanced)
      assert.is_true(r.classification.hard_bounce)
      assert.truthy(b.text:find("Destinatarios", 1, true))
   end)
   it("reads an ARF report", function()
      local b = smtpcodes.parse_bounce(read("arf.eml"))
      assert.are.equal("abuse", b.feedback_type)
      assert.are.equal("192.0.2.99", b.source_ip)
   end)
   it("keeps 1024 of 10,000 recipients and says so", function()
      local parts = { "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered\n",
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"XX\"\n\n",
         "--XX\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n" }
      for i = 0, 9999 do
         parts[#parts + 1] = ("Final-Recipient: rfc822; u%d@example.org\nAction: failed\nStatus: 5.1.1\n\n"):format(i)
      end
      parts[#parts + 1] = "--XX--\n"
      local b = smtpcodes.parse_bounce(table.concat(parts))
      assert.are.equal(10000, b.total_recipients)
      assert.are.equal(1024, #b.recipients)
      assert.is_true(b.truncated)
   end)
   it("reads anything without an error", function()
      assert.are.equal("other", smtpcodes.parse_bounce("").kind)
      assert.are.equal("other", smtpcodes.parse_bounce(("\0\255"):rep(1000)).kind)
      assert.has_error(function() smtpcodes.parse_bounce({}) end)
   end)
end)
