-- The shared classification vectors (tests/vectors/classify.tsv): every reason, the priority
-- rules and vendor wording, through the Lua module.
local smtpcodes = require("smtpcodes")
local helpers = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")

describe("classify vectors (classify.tsv)", function()
  local rows = helpers.read_tsv("classify.tsv")
  local seen = {}
  for i, row in ipairs(rows) do
    it("line " .. i .. ": " .. row[1]:sub(1, 40) .. " -> " .. row[2], function()
      local c = assert(smtpcodes.classify(helpers.unescape(row[1])))
      assert.are.equal(row[2], c.reason)
      assert.are.equal(row[3], c.permanence)
      assert.are.equal(row[4] == "1", c.hard_bounce)
      assert.are.equal(row[5] == "1", c.retry)
      assert.are.equal(row[6], c.vendor or "-")
      assert.are.equal(c.vendor, c.provider)
      if row[7] then assert.are.equal(row[7], c.mta or "-") end
      if row[8] then assert.are.equal(row[8], c.stage or "-") end
    end)
    seen[row[2]] = true
  end
  it("covers every reason", function()
    for _, name in ipairs(smtpcodes.reasons()) do
      assert.is_true(seen[name] == true, "no vector for " .. name)
    end
  end)
end)
