-- parse_log through the Lua module: the shared vectors (tests/vectors/logs.tsv) and every
-- line of examples/data/maillog.sample against the labels derived from make_maillog.py's model
-- (tests/vectors/maillog_labels.tsv).
local smtpcodes = require("smtpcodes")
local dir = (debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./")
local helpers = dofile(dir .. "helpers.lua")

local MIB = 1048576
local function line_of(field)
  if field == "<huge-garbage>" then return string.rep("a", MIB) end
  if field == "<huge-postfix>" then
    return "Dec  2 00:27:01 mail postfix/smtp[1]: ABCDEF1234: to=<a@example.com>, relay=none, " ..
      "delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (" .. string.rep("x", MIB) .. ")"
  end
  return helpers.unescape(field)
end

local function dash(v) if v == nil then return "-" end return tostring(v) end

local function check(rec, key, want)
  local c = rec.classification
  local simple = { queue_id = rec.queue_id, sender = rec.sender, orig = rec.original_recipient,
                   relay_ip = rec.relay_ip, host = rec.host, program = rec.program, timestamp = rec.timestamp }
  if key == "port" then
    assert.are.equal(tonumber(want), rec.relay_port or 0)
  elseif key == "delay" then
    assert.is_true(rec.delay ~= nil and math.abs(rec.delay - tonumber(want)) < 0.001, "delay")
  elseif key == "code" then
    assert.are.equal(want, dash(rec.reply and rec.reply.code))
  elseif key == "reply" then
    assert.is_not_nil(rec.reply)
    local lines = rec.reply.lines
    assert.are.equal(want:sub(-#lines[#lines]), lines[#lines])
  elseif key == "enhanced" then
    assert.are.equal(want, c.enhanced)
  elseif key == "permanence" then
    assert.are.equal(want, c.permanence)
  elseif key == "hard_bounce" then
    assert.are.equal(want == "true", c.hard_bounce)
  else
    assert.are.equal(want, dash(simple[key]), key)
  end
end

describe("parse_log vectors (logs.tsv)", function()
  local rows = helpers.read_tsv("logs.tsv")
  local n = 0
  for _, row in ipairs(rows) do
    if row[1] ~= "line" and #row >= 10 then
      n = n + 1
      it(row.lineno .. ": " .. row[1]:sub(1, 50), function()
        local rec = smtpcodes.parse_log(line_of(row[1]))
        assert.are.equal(row[2], rec.kind)
        assert.are.equal(row[3], dash(rec.mta))
        assert.are.equal(row[4], rec.status)
        assert.are.equal(row[5], dash(rec.recipient))
        assert.are.equal(row[6], dash(rec.relay))
        assert.are.equal(row[7], dash(rec.dsn))
        assert.are.equal(row[8] == "true", rec.classification.retry)
        assert.are.equal(row[9], dash(rec.stage))
        if row[10] ~= "*" then assert.are.equal(row[10], rec.classification.reason) end
        if rec.status == "deferred" then
          assert.is_true(rec.classification.retry)
          assert.are_not.equal("expired", rec.classification.reason)
          assert.are.equal("Retry", rec.classification.advice:sub(1, 5))
        end
        if rec.kind == "other" then
          assert.are.equal("none", rec.classification.reason)
          assert.is_false(rec.classification.retry)
          assert.is_nil(rec.reply)
        end
        for kv in (row[11] or ""):gmatch("[^;]+") do
          local key, want = kv:match("^([^=]+)=(.*)$")
          check(rec, key, want)
        end
        assert.are.equal("Log record: ", rec.text:sub(1, 12))
        assert.are.equal("## ", rec.markdown:sub(1, 3))
        assert.truthy(rec.html:find('<section class="smtpcodes smtpcodes-log" lang="en"', 1, true))
      end)
    end
  end
  it("has rows for every MTA", function() assert.is_true(n >= 90) end)
end)

describe("maillog.sample", function()
  it("every line gets the right kind, status, recipient, relay, dsn, retry and stage", function()
    local labels = {}
    for _, r in ipairs(helpers.read_tsv("maillog_labels.tsv")) do labels[#labels + 1] = r end
    local f = assert(io.open(dir .. "../../examples/data/maillog.sample", "rb"))
    local i, deferred = 0, 0
    for line in f:lines() do
      i = i + 1
      local lab = labels[i]
      local rec = smtpcodes.parse_log(line)
      local where = "maillog.sample line " .. i
      assert.are.equal(tostring(i), lab[1], where)
      assert.are.equal(lab[2], rec.kind, where)
      assert.are.equal(lab[3], rec.status, where)
      assert.are.equal(lab[4], dash(rec.recipient), where)
      assert.are.equal(lab[5], dash(rec.relay), where)
      assert.are.equal(lab[6], dash(rec.dsn), where)
      assert.are.equal(lab[7] == "true", rec.classification.retry, where)
      assert.are.equal(lab[8], dash(rec.stage), where)
      if rec.status == "deferred" then
        deferred = deferred + 1
        assert.are.equal("temporary", rec.classification.permanence, where)
        assert.is_nil(rec.classification.advice:find("run out", 1, true), where)
      end
    end
    f:close()
    assert.are.equal(320, i)
    assert.is_true(deferred > 0)
  end)
end)

describe("parse_log", function()
  it("renders in Spanish and keeps the line", function()
    local line = "Nov 28 08:04:52 mail postfix/qmgr[61266]: A641669FB5: from=<victor@sender.example>, " ..
      "size=65119, nrcpt=1 (queue active)"
    local rec = smtpcodes.parse_log(line, "es")
    assert.are.equal("other", rec.kind)
    assert.are.equal("victor@sender.example", rec.sender)
    assert.are.equal(line, rec.line)
    assert.are.equal("Registro de correo: ", rec.text:sub(1, 20))
    assert.truthy(rec.html:find('lang="es"', 1, true))
  end)
  it("rejects a bad argument", function()
    assert.has_error(function() smtpcodes.parse_log(nil) end)
    assert.has_error(function() smtpcodes.parse_log({}) end)
    assert.has_error(function() smtpcodes.parse_log("x", "xx") end)
  end)
  it("takes any bytes", function()
    for _, s in ipairs({ "", "\0\0\0", string.rep("\255", 300), string.rep("<", 5000),
                         string.rep("ABCDEF: to=<", 3000), string.rep("1abcDE-0001Xy-AB == ", 2000) }) do
      local rec = smtpcodes.parse_log(s)
      assert.truthy(rec.kind == "other" or rec.kind == "delivery")
      assert.truthy(#rec.html > 0)
    end
  end)
end)
