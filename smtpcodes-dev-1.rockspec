rockspec_format = "3.0"
package = "smtpcodes"
version = "dev-1"
source = {
   -- placeholder: build with `luarocks make` from a checkout; `make rock-src` packs a source rock
   -- from a copy of this file in build/ whose url is file://<checkout>/build/smtpcodes-dev.tar.gz
   url = "git+file:///dev/null",
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
-- The make backend (not builtin): `make rock-install` compiles the module with one cc call
-- straight into the rock tree, so `luarocks make` writes no smtpcodes.so or .o into the source
-- tree (the builtin backend puts objects beside their sources and the module in the cwd).
-- Sources, every csrc/*.c (`make check-rockspec` checks this list against the directory):
   --   "csrc/bounce.c"
   --   "csrc/buffer.c"
   --   "csrc/classify.c"
   --   "csrc/commands.c"
   --   "csrc/compare.c"
   --   "csrc/log.c"
   --   "csrc/mime.c"
   --   "csrc/parse.c"
   --   "csrc/render.c"
   --   "csrc/search.c"
   --   "csrc/strings.c"
   --   "csrc/table.c"
   --   "csrc/tags.c"
   --   "bindings/lua/lsmtpcodes.c"
build = {
   type = "make",
   build_target = "rock-check",
   install_target = "rock-install",
   -- FORTIFY (luarocks' CFLAGS are -O2 -fPIC); `make rock` also passes the stack protector and
   -- full RELRO: CFLAGS="... -fstack-protector-strong" LIBFLAG="-shared -Wl,-z,relro,-z,now"
   build_variables = {
      CFLAGS = "$(CFLAGS) -D_FORTIFY_SOURCE=2",
      LUA_INCDIR = "$(LUA_INCDIR)",
      LIBFLAG = "$(LIBFLAG)",
   },
   install_variables = {
      CFLAGS = "$(CFLAGS) -D_FORTIFY_SOURCE=2",
      LUA_INCDIR = "$(LUA_INCDIR)",
      LIBFLAG = "$(LIBFLAG)",
      INST_LIBDIR = "$(LIBDIR)",
   },
}
test = {
   type = "busted",
}
