-- quickstart.lua - smtpcodes from Lua.
--   luarocks --lua-version=5.4 make --tree=build/lua_modules smtpcodes-dev-1.rockspec
--   lua5.4 -e 'package.cpath="build/lua_modules/lib/lua/5.4/?.so;"..package.cpath' examples/quickstart.lua
local smtpcodes = require("smtpcodes")

-- look a code up, in English and in Spanish
local c = smtpcodes.lookup(552)
print(c.code, c.title, c.class_name, c.is_permanent)
print(smtpcodes.lookup("5.2.2", "es").fix)

-- parse a reply pasted from a log
local r = assert(smtpcodes.parse("status=bounced (host mx said: 550 5.1.1 <bob@example.org>: User unknown)"))
print(r.code, r.enhanced, r.permanence, table.concat(r.flags, ","))

-- malformed input is a data error: nil, message
local ok, err = smtpcodes.lookup("55")
print(ok, err)

-- compare two codes like a reference page
print(smtpcodes.compare(211, 252).summary)

-- codes sort like numbers, basic before enhanced
local list = {}
for _, code in smtpcodes.codes("basic") do list[#list + 1] = code end
table.sort(list)
print(#list .. " basic codes, first " .. tostring(list[1]))
