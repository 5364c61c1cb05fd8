-- Rego policies of private hooks in the RFS emulator (rfs-private.md §6.1).
-- compile() checks that every source declares `package policy`.

local M = {}

--- Compile the sources of a policy.
-- @param sources list of {name, text}
-- @return compiled policy, or nil and a message
function M.compile(sources)
  for _, s in ipairs(sources) do
    if not s.text:match("^%s*package%s+policy%f[^%w_]") and not s.text:match("\n%s*package%s+policy%f[^%w_]") then
      return nil, s.name .. ": the policy must be in 'package policy'"
    end
  end
  return { sources = sources }
end

return M
