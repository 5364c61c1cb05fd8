-- deploy_from_file against the emulator, where a user's file meets the
-- server's messages: the template goes as template_body, which the server
-- calls main.tf, and the client puts the file's own name back; a place in a
-- private module's main.tf keeps that name (it is not the user's file), and a
-- template_file that is a directory creates nothing.

local S = require("spec.helpers.services")

-- a module whose main.tf has a syntax error on line 4, and one whose line 3
-- refers to an undeclared variable
local MODULES = {
  syntax = 'variable "name" {}\nresource "huaweicloud_vpc" "v" {\n  name = var.name\n  cidr = "10.0.0.0/16" +\n}\n',
  undeclared = 'variable "name" {}\nresource "huaweicloud_vpc" "v" {\n  name = var.nope\n  cidr = "10.0.0.0/16"\n}\n',
}

describe("deploy_from_file against the emulator", function()
  local h = S.emulator()
  setup(h.up)
  teardown(h.down)
  before_each(h.reset)

  local dir
  before_each(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
  end)
  after_each(function()
    os.execute("rm -rf " .. dir)
  end)

  local function write(name, text)
    local f = assert(io.open(dir .. "/" .. name, "w"))
    f:write(text)
    f:close()
    return dir .. "/" .. name
  end

  -- deploys `text` from stack.tf; returns the error and the event messages
  local function failed_deploy(text)
    local printed = {}
    local err = S.raised(h.rfs.deploy_from_file, h.rfs, h.w{ stack_name = "from-file",
      template_file = write("stack.tf", text), on_event = function(ev) printed[#printed + 1] = ev.event_message end })
    return err, table.concat(printed, "\n")
  end

  local function module_call(kind)
    local source = h.rfs:publish_module_version{ module_name = "qa_" .. kind, module_version = "1.0.0",
      files = { ["main.tf"] = MODULES[kind] }, upload = require("hwcloud.rfs").emulator_upload(h.main) }
    return ('module "net" {\n  source = "%s"\n  name   = "x"\n}\n'):format(source)
  end

  it("leaves a syntax error in a module's main.tf in main.tf", function()
    local err, events = failed_deploy(module_call("syntax"))
    assert.matches("Error in module%.net %([^)]+%): main%.tf:4,%d+: Invalid expression", tostring(err))
    assert.not_matches("stack%.tf", tostring(err))
    assert.matches("Error in module%.net %([^)]+%): main%.tf:4,%d+: Invalid expression", events)
  end)

  it("leaves an error evaluating a module's main.tf in main.tf", function()
    local err = failed_deploy(module_call("undeclared"))
    assert.matches("module%.net: main%.tf:2,%d+: Error in huaweicloud_vpc%.v", tostring(err))
    assert.not_matches("stack%.tf", tostring(err))
  end)

  it("names the file read for an error in the template itself", function()
    local err = failed_deploy((MODULES.undeclared:gsub("^variable[^\n]*\n", "")))
    assert.matches("stack%.tf:1,%d+: Error in huaweicloud_vpc%.v", tostring(err))
    assert.not_matches("main%.tf", tostring(err))
  end)

  it("creates nothing from a directory", function()
    write("main.tf", MODULES.syntax)
    local err = S.raised(h.rfs.deploy_from_file, h.rfs, h.w{ stack_name = "from-dir", template_file = dir })
    assert.equal("argument", err.kind)
    assert.equal("template_file", err.field)
    assert.equal(404, S.raised(h.rfs.get_stack_metadata, h.rfs, { stack_name = "from-dir" }).status)
  end)
end)
