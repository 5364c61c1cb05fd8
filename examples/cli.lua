-- The command line of the examples: `-h` or `--help` prints the script's
-- opening comment (what it does and its Usage line), any other option or an
-- extra argument is refused, before anything is sent. Loaded with
-- dofile(here .. "/cli.lua"), so it needs neither the build nor the path.

local cli = {}

local function name_of(script)
  return (script:match("[^/]*$"))
end

--- The opening comment of `script` (the lines starting with "--" up to the
-- first one that does not), without the comment marks.
local function header(script)
  local lines = {}
  local f = io.open(script, "r")
  if not f then return "" end
  for line in f:lines() do
    local text = line:match("^%-%- ?(.*)$")
    if not text then break end
    lines[#lines + 1] = text
  end
  f:close()
  return table.concat(lines, "\n")
end

--- The positional arguments of the script's command line.
-- @param argv the script's `arg` (argv[0] is the script)
-- @param max how many positional arguments the script takes
-- @return a list of at most `max` arguments; prints the usage and exits 0
--   for -h/--help, says what is wrong and exits 2 for an unknown option or
--   too many arguments
function cli.args(argv, max)
  argv = argv or {}
  local script = argv[0] or "example"
  local args = {}
  for _, a in ipairs(argv) do
    if a == "-h" or a == "--help" then
      print(header(script))
      os.exit(0)
    elseif a:sub(1, 1) == "-" then
      io.stderr:write(("%s: unknown option '%s' (--help prints the usage)\n"):format(name_of(script), a))
      os.exit(2)
    end
    args[#args + 1] = a
  end
  if #args > max then
    io.stderr:write(("%s: takes %s, got '%s' (--help prints the usage)\n"):format(name_of(script),
      max == 0 and "no arguments" or ("at most " .. max .. " argument" .. (max == 1 and "" or "s")),
      table.concat(args, "' '")))
    os.exit(2)
  end
  return args
end

return cli
