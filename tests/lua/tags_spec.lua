-- Provider tags through the Lua module: lookup_tag, tags, providers, the tag tables and
-- their renderings, and one reply per tag from tests/vectors/tags_a.tsv and tags_b.tsv.
local smtpcodes = require("smtpcodes")
local helpers = dofile((debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./") .. "helpers.lua")

local FIELDS = { "tag", "provider", "title", "description", "when", "fix", "reason", "lang" }

describe("providers()", function()
  it("names at least 15 providers, Yahoo and Spamhaus among them", function()
    local p = smtpcodes.providers()
    assert.is_true(#p >= 15, #p)
    local seen = {}
    for _, name in ipairs(p) do
      assert.are.equal("string", type(name))
      assert.is_nil(seen[name], name)
      seen[name] = true
    end
    assert.is_true(seen["Yahoo"] and seen["Spamhaus"] and seen["NetEase"])
  end)
end)

describe("tags()", function()
  local all = smtpcodes.tags()
  it("lists at least 150 tags with every field", function()
    assert.is_true(#all >= 150, #all)
    local reasons = {}
    for _, r in ipairs(smtpcodes.reasons()) do reasons[r] = true end
    for _, t in ipairs(all) do
      for _, f in ipairs(FIELDS) do
        assert.are.equal("string", type(t[f]), f)
        assert.is_true(#t[f] > 0, f)
      end
      assert.is_true(reasons[t.reason], t.reason)
      assert.are.equal("en", t.lang)
      assert.is_true(#t.references > 0, t.tag)
      for _, c in ipairs(t.codes) do
        if type(c) == "number" then
          assert.is_true(c >= 200 and c <= 599, t.tag)
        else
          assert.is_truthy(c:match("^[245]%.%d+%.%d+$"), t.tag .. " " .. tostring(c))
        end
      end
    end
  end)
  it("by provider partitions the whole list", function()
    local total = 0
    for _, name in ipairs(smtpcodes.providers()) do
      local some = smtpcodes.tags(name, "es")
      assert.is_true(#some > 0, name)
      for _, t in ipairs(some) do
        assert.are.equal(name, t.provider)
        assert.are.equal("es", t.lang)
      end
      total = total + #some
    end
    assert.are.equal(#all, total)
    assert.are.equal(#smtpcodes.tags("Yahoo"), #smtpcodes.tags("yahoo"))
  end)
  it("an unknown provider gives nil, a message and 'unknown'", function()
    local t, msg, name = smtpcodes.tags("Nobody Mail")
    assert.is_nil(t)
    assert.are.equal("unknown provider: 'Nobody Mail'", msg)
    assert.are.equal("unknown", name)
  end)
end)

describe("lookup_tag()", function()
  it("finds TSS04 in every spelling", function()
    for _, spelling in ipairs({ "TSS04", "tss04", "[TSS04]", " [tss04] " }) do
      local t = assert(smtpcodes.lookup_tag(spelling))
      assert.are.equal("TSS04", t.tag)
      assert.are.equal("Yahoo", t.provider)
      assert.are.equal("badreputation", t.reason)
      assert.are.same({ 421, "4.7.0" }, t.codes)
    end
  end)
  it("takes a provider by name or id, and a language", function()
    local t = assert(smtpcodes.lookup_tag("DT:SPM", "netease", "es"))
    assert.are.equal("NetEase", t.provider)
    assert.are.equal("es", t.lang)
    assert.are_not.equal(smtpcodes.lookup_tag("DT:SPM").title, t.title)
    assert.is_nil(smtpcodes.lookup_tag("DT:SPM", "Yahoo"))
  end)
  it("returns nil, a message and a name for an unknown or empty tag", function()
    local t, msg, name = smtpcodes.lookup_tag("NOSUCH99")
    assert.is_nil(t)
    assert.are.equal("unknown provider tag: 'NOSUCH99'", msg)
    assert.are.equal("unknown", name)
    t, msg, name = smtpcodes.lookup_tag("TSS04", "Nobody")
    assert.is_nil(t)
    assert.are.equal("unknown", name)
    t, msg, name = smtpcodes.lookup_tag("[ ]")
    assert.is_nil(t)
    assert.are.equal("empty", name)
  end)
  it("raises on wrong argument types and unknown languages", function()
    assert.has_error(function() smtpcodes.lookup_tag() end)
    assert.has_error(function() smtpcodes.lookup_tag({}) end)
    assert.has_error(function() smtpcodes.lookup_tag("TSS04", {}) end)
    assert.has_error(function() smtpcodes.lookup_tag("TSS04", nil, "xx") end)
    assert.has_error(function() smtpcodes.tags(nil, "xx") end)
    assert.has_error(function() smtpcodes.tags({}) end)
  end)
  it("finds every listed tag by its own name, in both languages", function()
    for _, t in ipairs(smtpcodes.tags()) do
      local u = assert(smtpcodes.lookup_tag("[" .. t.tag:lower() .. "]", t.provider, "es"))
      assert.are.equal(t.tag, u.tag)
      assert.are.equal(t.reason, u.reason)
      assert.are.equal("es", u.lang)
    end
  end)
end)

describe("tag renderings", function()
  it("text, Markdown and HTML in both languages, from the core", function()
    for _, lang in ipairs({ "en", "es" }) do
      for _, t in ipairs(smtpcodes.tags(nil, lang)) do
        assert.are.equal(t.tag .. " - " .. t.title .. " (" .. t.provider .. ")\n",
                         t.text:sub(1, #t.tag + #t.title + #t.provider + 7))
        assert.is_truthy(t.text:find(t.fix, 1, true), t.tag)
        assert.are.equal("## ", t.markdown:sub(1, 3))
        local open = '<section class="smtpcodes smtpcodes-tag" lang="' .. lang .. '"'
        assert.are.equal(open, t.html:sub(1, #open))
        assert.are.equal("</section>\n", t.html:sub(-11))
        assert.is_nil(t.html:find("<script", 1, true))
      end
    end
    local es = assert(smtpcodes.lookup_tag("TSS04", nil, "es"))
    assert.is_truthy(es.text:find("Proveedor: Yahoo", 1, true))
    assert.is_truthy(es.text:find("Motivo: badreputation", 1, true))
    assert.is_nil(es.field_that_does_not_exist)
  end)
end)

for _, file in ipairs({ "tags_a.tsv", "tags_b.tsv" }) do
  describe("tag vectors (" .. file .. ")", function()
    for _, row in ipairs(helpers.read_tsv(file)) do
      it("line " .. row.lineno .. ": " .. row[2] .. " (" .. row[3] .. ")", function()
        local t = assert(smtpcodes.lookup_tag(row[2], row[3]))
        assert.are.equal(row[2], t.tag)
        assert.are.equal(row[3], t.provider)
        assert.are.equal(row[4], t.reason)
      end)
    end
  end)
end

describe("a reply carrying a provider tag", function()
   local tagged = "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume"
   it("is explained by the provider's meaning first, then the codes", function()
      for _, lang in ipairs({ "en", "es" }) do
         local tag = assert(smtpcodes.lookup_tag("TSS04", nil, lang))
         local e = assert(smtpcodes.explain(tagged, lang))
         local at = e.text:find(tag.description, 1, true)
         assert.truthy(at)
         assert.truthy(at < e.text:find("421 - ", 1, true))
         assert.truthy(e.html:find('<section class="smtpcodes-tag"', 1, true))
         local c = assert(smtpcodes.classify(tagged, lang))
         assert.are.equal("TSS04", c.tag)
         assert.are.equal("Yahoo", c.provider)
         assert.are.equal(tag.reason, c.reason)
         assert.truthy(c.evidence:find("TSS04", 1, true))
      end
   end)
end)
