-- Shared helpers for the busted specs (loaded with dofile, not a spec itself).
-- Works under Lua 5.4, 5.3, 5.1 and LuaJIT: no integer division, no utf8 library.
local H = {}

local dir = (debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./")
H.vectors_dir = dir .. "../vectors/"

-- Decode the escapes of the vector files: \t \n \r \\ \0 \xNN.
function H.unescape(s)
   local out, i, n = {}, 1, #s
   while i <= n do
      local ch = s:sub(i, i)
      if ch == "\\" and i < n then
         local nx = s:sub(i + 1, i + 1)
         if nx == "t" then out[#out + 1] = "\t"; i = i + 2
         elseif nx == "n" then out[#out + 1] = "\n"; i = i + 2
         elseif nx == "r" then out[#out + 1] = "\r"; i = i + 2
         elseif nx == "\\" then out[#out + 1] = "\\"; i = i + 2
         elseif nx == "0" then out[#out + 1] = "\0"; i = i + 2
         elseif nx == "x" and s:sub(i + 2, i + 3):match("^%x%x$") then
            out[#out + 1] = string.char(tonumber(s:sub(i + 2, i + 3), 16)); i = i + 4
         else
            out[#out + 1] = ch; i = i + 1
         end
      else
         out[#out + 1] = ch; i = i + 1
      end
   end
   return table.concat(out)
end

local function split_tabs(line)
   local fields, start = {}, 1
   while true do
      local a = line:find("\t", start, true)
      if not a then fields[#fields + 1] = line:sub(start); break end
      fields[#fields + 1] = line:sub(start, a - 1)
      start = a + 1
   end
   return fields
end

H.split_tabs = split_tabs

-- Rows of a TSV vector file (comment lines skipped), as arrays of raw fields.
-- The bytes of a bounce vector (tests/vectors/bounces/NAME).
function H.read_bounce(name)
   local f = assert(io.open(H.vectors_dir .. "bounces/" .. name, "rb"))
   local s = f:read("*a")
   f:close()
   return s
end

function H.read_tsv(name)
   local f = assert(io.open(H.vectors_dir .. name, "rb"))
   local rows, lineno = {}, 0
   for line in f:lines() do
      lineno = lineno + 1
      line = line:gsub("\r$", "")
      if line ~= "" and line:sub(1, 1) ~= "#" then
         local r = split_tabs(line)
         r.lineno = lineno
         rows[#rows + 1] = r
      end
   end
   f:close()
   return rows
end

-- The module's quoting of an input in error messages: printable ASCII kept
-- (except \ and '), other bytes as \xNN, at most 60 bytes, then "..." if cut.
function H.quote(s)
   local q = s:sub(1, 60):gsub("[^%w ]", function(c)
      local b = c:byte()
      if b >= 32 and b < 127 and c ~= "'" and c ~= "\\" then return c end
      return string.format("\\x%02x", b)
   end)
   return "'" .. q .. "'" .. (#s > 60 and "..." or "")
end

-- "a,b,c" or "-" as a set.
function H.set(s)
   local t = {}
   if s ~= "-" then for w in s:gmatch("[^,]+") do t[w] = true end end
   return t
end

function H.list_to_set(list)
   local t = {}
   for _, v in ipairs(list) do t[v] = true end
   return t
end

function H.printable(s)
   return (s:gsub("[^%w%p ]", function(c) return string.format("\\x%02x", c:byte()) end))
end

-- Is a table a proper sequence of n elements?
function H.is_sequence(t)
   local n = 0
   for _ in pairs(t) do n = n + 1 end
   return n == #t
end

return H
