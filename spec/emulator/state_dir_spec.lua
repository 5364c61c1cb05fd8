-- bin/hwcloud-emulator and its state directory (issue 7, finding 7): a
-- directory another user made or can write, a symbolic link at it or inside
-- it, is refused before anything is written or killed; concurrent starts on
-- one directory share one emulator; a start asking for another port says the
-- emulator runs elsewhere; run as root it refuses code others can replace.
local emu = require "spec.helpers.emulator"

local BIN = emu.root .. "/bin/hwcloud-emulator"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- run a shell command: output (stdout and stderr), exit code
local function sh(cmd)
  local p = assert(io.popen("( " .. cmd .. " ) 2>&1; echo \"rc=$?\""))
  local out = p:read("*a")
  p:close()
  local rc = tonumber(out:match("rc=(%d+)%s*$"))
  return out:gsub("rc=%d+%s*$", ""), rc
end

local read_file = emu.read_file

local is_root = sh("id -u"):match("^0") ~= nil

describe("hwcloud-emulator state directory", function()
  local base
  before_each(function()
    base = sh("mktemp -d /tmp/hwcloud-emu-sd.XXXXXX"):match("[^\n]+")
  end)
  after_each(function()
    -- stop whatever a test started there (by the pid file), then clean up
    for _, d in ipairs({ base .. "/s", base .. "/t" }) do
      local pid = (read_file(d .. "/nginx.pid") or ""):match("%d+")
      if pid and emu.alive(tonumber(pid)) then sh(q(BIN) .. " stop --state-dir " .. q(d)) end
    end
    sh("rm -rf " .. q(base))
  end)

  local function start(dir, extra)
    return sh(q(BIN) .. " start --speed 0 --state-dir " .. q(dir) .. " " .. (extra or ""))
  end

  it("creates a missing directory with mode 700 and starts", function()
    local out, rc = start(base .. "/s")
    assert.equal(0, rc, out)
    assert.matches("HWCLOUD_ENDPOINT=", out)
    assert.equal("700", (sh("stat -c %a " .. q(base .. "/s")):match("%d+")))
  end)

  it("refuses a state directory that is a symbolic link", function()
    sh("mkdir -m 700 " .. q(base .. "/real") .. " && ln -s real " .. q(base .. "/s"))
    local out, rc = start(base .. "/s")
    assert.equal(1, rc)
    assert.matches("symbolic link", out)
    assert.is_nil(read_file(base .. "/real/nginx.conf"))
  end)

  it("refuses a state directory writable by group or others", function()
    sh("mkdir " .. q(base .. "/s") .. " && chmod 777 " .. q(base .. "/s"))
    local out, rc = start(base .. "/s")
    assert.equal(1, rc)
    assert.matches("writable by group or others", out)
    assert.is_nil(read_file(base .. "/s/nginx.conf"))
  end)

  it("never writes through a symbolic link planted inside", function()
    local victim = base .. "/victim.txt"
    sh("echo precious > " .. q(victim))
    sh("mkdir -m 700 " .. q(base .. "/s") .. " && ln -s " .. q(victim) .. " " .. q(base .. "/s/nginx.conf"))
    local out, rc = start(base .. "/s")
    assert.equal(1, rc)
    assert.matches("symbolic link", out)
    assert.equal("precious\n", read_file(victim))
  end)

  it("refuses a directory another user made, for start and for stop", function()
    if not is_root then pending("needs root to give a directory to another user") return end
    local dir = base .. "/s"
    sh("mkdir -m 700 " .. q(dir) .. " && echo 1 > " .. q(dir .. "/nginx.pid") .. " && chown -R 65534 " .. q(dir))
    local out, rc = start(dir)
    assert.equal(1, rc)
    assert.matches("belongs to uid 65534", out)
    out, rc = sh(q(BIN) .. " stop --state-dir " .. q(dir))
    assert.equal(1, rc)
    assert.matches("belongs to uid 65534", out)
    assert.is_nil(read_file(dir .. "/nginx.conf"))
  end)

  it("lets two starts at once share one emulator", function()
    local dir = base .. "/s"
    local cmd = q(BIN) .. " start --speed 0 --state-dir " .. q(dir)
    local out = sh("(" .. cmd .. " > " .. q(base .. "/a.out") .. "; echo $? > " .. q(base .. "/a.rc") .. ") & " ..
      "(" .. cmd .. " > " .. q(base .. "/b.out") .. "; echo $? > " .. q(base .. "/b.rc") .. ") & wait")
    assert.equal("0\n", read_file(base .. "/a.rc"), out)
    assert.equal("0\n", read_file(base .. "/b.rc"), out)
    local a = read_file(base .. "/a.out"):match("HWCLOUD_ENDPOINT='([^']+)'")
    assert.is_string(a)
    assert.equal(a, read_file(base .. "/b.out"):match("HWCLOUD_ENDPOINT='([^']+)'"))
  end)

  it("says a running emulator is elsewhere when another port is asked for", function()
    local dir = base .. "/s"
    local out, rc = start(dir)
    assert.equal(0, rc, out)
    local port = out:match("127%.0%.0%.1:(%d+)")
    local other = tonumber(port) == 65000 and 65001 or 65000
    out, rc = start(dir, "--port " .. other)
    assert.equal(1, rc)
    assert.matches("already running elsewhere", out)
    assert.matches(":" .. port, out)
    assert.is_nil(out:find("export ", 1, true))
    out, rc = start(dir, "--port " .. port)
    assert.equal(0, rc)
    assert.matches("HWCLOUD_ENDPOINT='http://127.0.0.1:" .. port .. "'", out, 1, true)
  end)

  it("run as root, refuses emulator code that others can change", function()
    if not is_root then pending("only a root start runs its worker as root") return end
    local home = base .. "/home"
    sh("mkdir -m 755 " .. q(home) .. " && cp -r " .. q(emu.root .. "/bin") .. " " .. q(emu.root .. "/emulator") .. " " .. q(home)
      .. " && chmod o+w " .. q(home .. "/emulator/lua/emu/server.lua"))
    local out, rc = sh("HWCLOUD_EMULATOR_HOME=" .. q(home) .. " " .. q(home .. "/bin/hwcloud-emulator") ..
      " start --speed 0 --state-dir " .. q(base .. "/t"))
    assert.equal(1, rc)
    assert.matches("server.lua belongs to another user or is writable by group or others", out, 1, true)
    assert.is_nil(read_file(base .. "/t/nginx.pid"))
  end)
end)
