rockspec_format = "3.0"
package = "smtpcodes"
version = "dev-1"
source = {
   url = "git+file:///dev/null",   -- placeholder: build with `luarocks make` from a checkout
}
description = {
   summary = "SMTP reply-code knowledge base: lookup, parse, explain, compare (en, es)",
   detailed = [[
Look up basic SMTP reply codes (RFC 5321) and enhanced status codes (RFC 3463),
parse replies and log lines, explain and compare codes, in English and Spanish.
The Lua module wraps the same C core (csrc/) as the Python package.
]],
   license = "MIT",
}
-- Tested with Lua 5.4 (target), 5.3, 5.1 and LuaJIT 2.1 (tests/lua/run_versions.sh).
-- Only "lua": `luarocks make` then never touches the network.
dependencies = {
   "lua >= 5.1",
}
build = {
   type = "builtin",
   modules = {
      smtpcodes = {
         -- every csrc/*.c (`make check-rockspec` checks this list against the directory)
         sources = {
            "csrc/bounce.c",
            "csrc/buffer.c",
            "csrc/classify.c",
            "csrc/commands.c",
            "csrc/compare.c",
            "csrc/log.c",
            "csrc/mime.c",
            "csrc/parse.c",
            "csrc/render.c",
            "csrc/search.c",
            "csrc/strings.c",
            "csrc/table.c",
            "csrc/tags.c",
            "bindings/lua/lsmtpcodes.c"
         },
         incdirs = { "csrc" },
         -- FORTIFY (luarocks compiles with -O2); `make rock` also passes the stack protector and
         -- full RELRO: CFLAGS="... -fstack-protector-strong" LIBFLAG="-shared -Wl,-z,relro,-z,now"
         defines = { "_FORTIFY_SOURCE=2" },
      },
   },
}
test = {
   type = "busted",
}
