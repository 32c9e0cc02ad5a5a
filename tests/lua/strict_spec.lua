-- Strict mode is RFC 5321 4.2 and 4.5.3.1.5 exactly: each violation fails with its own error
-- name; lenient mode reads the same inputs (CR-only, LF-only and mixed line ends).
local smtpcodes = require("smtpcodes")

local cases = {
  { "bare-lf", "550-5.1.1 first\n550 5.1.1 last\r\n" },
  { "bare-cr", "550-5.1.1 first\r550 5.1.1 last\r\n" },
  { "nul", "550 5.1.1 User\000unknown\r\n" },
  { "control", "550 5.1.1 a bell \007 here\r\n" },
  { "line-length", "550 5.1.1 " .. string.rep("x", 501) .. "\r\n" },
  { "separator", "550:5.1.1 colon after the code\r\n" },
  { "trailing", "550 5.1.1 last\r\n550 5.1.1 after the last\r\n" },
  { "no-line-code", "550-5.1.1 first\r\nno code\r\n" },
  { "mixed", "550-5.1.1 first\r\n551 5.1.1 last\r\n" },
  { "incomplete", "550-5.1.1 first\r\n550-5.1.1 second\r\n" },
  { "range", "650 5.1.1 out of range\r\n" },
  { "syntax", "hello 550\r\n" },
}

describe("strict parse", function()
  for _, case in ipairs(cases) do
    it("reports " .. case[1], function()
      local r, msg, name = smtpcodes.parse(case[2], { strict = true })
      assert.is_nil(r)
      assert.are.equal(case[1], name)
      assert.is_true(type(msg) == "string" and #msg > 0)
    end)
  end

  it("allows 512 octets with the CRLF, not 513", function()
    local ok = "550 5.1.1 " .. string.rep("x", 500) .. "\r\n"
    assert.are.equal(512, #ok)
    assert.is_not_nil(smtpcodes.parse(ok, { strict = true }))
    local _, _, name = smtpcodes.parse("550 5.1.1 " .. string.rep("x", 501) .. "\r\n", { strict = true })
    assert.are.equal("line-length", name)
  end)

  it("lenient mode reads CR-only, LF-only and mixed line ends", function()
    local r = assert(smtpcodes.parse("550-a\r550-b\n550 c\r\n"))
    assert.are.equal(3, #r.lines)
  end)

  it("reports the stage of a wrapped reply", function()
    local r = assert(smtpcodes.parse("host mx.example.com[192.0.2.1] said: 550-5.7.1 first 550-5.7.1 second " ..
      "550 5.7.1 third (in reply to end of DATA command)"))
    assert.are.equal("end of DATA", r.stage)
    assert.are.equal("first\nsecond\nthird", r.text)
    local c = assert(smtpcodes.classify("SMTP error from remote mail server after RCPT TO:<bob@example.org>: " ..
      "550 5.1.1 No such user"))
    assert.are.equal("Exim", c.mta)
    assert.are.equal("RCPT TO", c.stage)
    assert.are.equal(c.vendor, c.provider)
  end)
end)
