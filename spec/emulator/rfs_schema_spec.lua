-- Provider schemas in the RFS emulator (emu.rfs.schema, emu.rfs.synth and
-- the data in emu/rfs/schema/*.lua): plans fail the way Terraform fails
-- them with the huaweicloud provider (unknown resource type or data source,
-- unsupported argument or block, missing required argument, wrong type),
-- and computed attributes come out typed and plausible. Pure Lua; the
-- corpus spec deploys the same through the API.

local template = require("emu.rfs.template")
local E = require("emu.rfs.evaluate")
local engine = require("emu.rfs.engine")
local schema = require("emu.rfs.schema")
local V = require("emu.rfs.values")

local function run(text, mode)
  local cfg = template.load(text)
  local n = 0
  return engine.run(cfg, E.variables(cfg, {}), {}, { mode = mode or "apply", new_id = function()
    n = n + 1
    return string.format("00000000-0000-4000-8000-%012d", n)
  end })
end

local function err_of(text)
  local ok, e = pcall(run, text)
  assert.is_false(ok, "expected the plan to fail")
  return E.error_message(e)
end

local function outputs(r)
  local o = {}
  for _, x in ipairs(r.outputs or {}) do o[x.name] = x.value end
  return o
end

local NET = [[
provider "huaweicloud" { region = "ap-southeast-3" }
resource "huaweicloud_vpc" "vpc" {
  name = "vpc"
  cidr = "172.16.0.0/16"
}
resource "huaweicloud_vpc_subnet" "sub" {
  name       = "sub"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = "172.16.8.0/24"
  gateway_ip = "172.16.8.1"
}
]]

describe("provider schemas", function()
  it("covers the common resource types and data sources", function()
    assert.is_true(#schema.names("RESOURCE") >= 60)
    assert.is_true(#schema.names("DATA") >= 25)
    local s = schema.lookup("RESOURCE", "huaweicloud_vpc_subnet")
    assert.is_true(s.attrs.cidr.required)
    assert.is_true(s.attrs.ipv4_subnet_id.computed)
    assert.equal("list", schema.lookup("RESOURCE", "huaweicloud_compute_instance").blocks.network.nesting)
  end)

  it("refuses an unknown resource type or data source one typo away from a known one", function()
    assert.equal('main.tf:1,1: huaweicloud_vpcc.v: Invalid resource type; The provider huaweicloud/huaweicloud does not support resource type "huaweicloud_vpcc". Did you mean "huaweicloud_vpc"?',
      err_of('resource "huaweicloud_vpcc" "v" { name = "v" }'))
    assert.matches('Invalid data source; The provider huaweicloud/huaweicloud does not support data source "huaweicloud_availability_zone"',
      err_of('data "huaweicloud_availability_zone" "z" {}'))
  end)

  it("refuses unsupported arguments and blocks, unconfigurable attributes, missing required ones", function()
    assert.equal('main.tf:2,3: huaweicloud_vpc.v: Unsupported argument; An argument named "nmae" is not expected here. Did you mean "name"?',
      err_of('resource "huaweicloud_vpc" "v" {\n  nmae = "v"\n}'))
    assert.matches('huaweicloud_vpc.v: Missing required argument; The argument "name" is required, but no definition was found%.',
      err_of('resource "huaweicloud_vpc" "v" {\n  cidr = "10.0.0.0/16"\n}'))
    assert.matches('Value for unconfigurable attribute; Can\'t configure a value for "status"',
      err_of('resource "huaweicloud_vpc" "v" {\n  name = "v"\n  status = "OK"\n}'))
    assert.matches('^main%.tf:3,3: huaweicloud_vpc%.v: Unsupported block type; Blocks of type "tags" are not expected here%. Did you mean to define argument "tags"%?',
      err_of('resource "huaweicloud_vpc" "v" {\n  name = "v"\n  tags {\n    a = "b"\n  }\n}'))
    assert.matches('huaweicloud_compute_instance%.vm%.network: Unsupported argument; An argument named "uid" is not expected here%. Did you mean "uuid"%?',
      err_of('resource "huaweicloud_compute_instance" "vm" {\n  name = "vm"\n  dynamic "network" {\n    for_each = ["a"]\n    content {\n      uid = network.value\n    }\n  }\n}'))
    assert.matches('Insufficient network blocks; At least 1 "network" blocks are required%.',
      err_of('resource "huaweicloud_compute_instance" "vm" {\n  name = "vm"\n}'))
    assert.matches('huaweicloud_compute_instance.vm.network: Missing required argument; The argument "uuid" is required',
      err_of('resource "huaweicloud_compute_instance" "vm" {\n  name = "vm"\n  network {\n    fixed_ip_v4 = "10.0.0.5"\n  }\n}'))
  end)

  it("checks the provider block's arguments", function()
    assert.matches('^main%.tf:3,3: provider%["huaweicloud"%]: Unsupported argument; An argument named "hwcloud_ak" is not expected here%.',
      err_of('provider "huaweicloud" {\n  region = "cn-north-4"\n  hwcloud_ak = "x"\n}\n'))
    local r = run('provider "huaweicloud" {\n  alias = "hk"\n  region = "ap-southeast-1"\n  assume_role {\n    agency_name = "a"\n    domain_name = "d"\n  }\n}\n')
    assert.equal(0, #r.instances)
    assert.matches('Missing required argument; The argument "domain_name" is required',
      err_of('provider "huaweicloud" {\n  assume_role {\n    agency_name = "a"\n  }\n}\n'))
  end)

  it("converts arguments to their types and refuses values of the wrong type", function()
    local r = run('resource "huaweicloud_evs_volume" "d" {\n  availability_zone = "cn-north-4a"\n  volume_type = "SSD"\n  size = "40"\n  multiattach = "true"\n}')
    assert.equal(40, r.instances[1].config.size)
    assert.is_true(r.instances[1].config.multiattach)
    assert.matches('^main%.tf:1,1: Error in huaweicloud_evs_volume%.d: Incorrect attribute value type; Inappropriate value for attribute "size": number required%.',
      err_of('resource "huaweicloud_evs_volume" "d" {\n  availability_zone = "a"\n  volume_type = "SSD"\n  size = "big"\n}'))
    assert.matches('Inappropriate value for attribute "tags": map of string required',
      err_of('resource "huaweicloud_vpc" "v" {\n  name = "v"\n  tags = ["a"]\n}'))
  end)

  it("gives computed attributes typed, plausible values: UUIDs, IPs in the subnet, AZs of the region", function()
    local r = run(NET .. [[
data "huaweicloud_availability_zones" "z" {}
data "huaweicloud_compute_flavors" "f" {
  performance_type = "computingv3"
  cpu_core_count   = 4
  memory_size      = 8
}
resource "huaweicloud_compute_instance" "vm" {
  name              = "vm"
  flavor_id         = data.huaweicloud_compute_flavors.f.ids[0]
  availability_zone = data.huaweicloud_availability_zones.z.names[0]
  network { uuid = huaweicloud_vpc_subnet.sub.id }
}
output "ip" { value = huaweicloud_compute_instance.vm.network[0].fixed_ip_v4 }
output "port" { value = huaweicloud_compute_instance.vm.network[0].port }
output "zones" { value = data.huaweicloud_availability_zones.z.names }
output "flavor" { value = huaweicloud_compute_instance.vm.flavor_id }
output "subnet" { value = huaweicloud_vpc_subnet.sub.ipv4_subnet_id }
output "desc" { value = huaweicloud_vpc.vpc.description }
output "disks" { value = length(huaweicloud_compute_instance.vm.data_disks) }
]])
    local o = outputs(r)
    assert.matches('^"172%.16%.8%.%d+"$', o.ip)
    assert.matches('^"%x+%-%x+%-4%x+%-8%x+%-%x+"$', o.port)
    assert.equal('["ap-southeast-3a","ap-southeast-3b","ap-southeast-3c","ap-southeast-3d"]', o.zones)
    assert.equal('"c7.xlarge.2"', o.flavor)
    assert.matches('^"%x+%-%x+%-4%x+%-8%x+%-%x+"$', o.subnet)
    assert.equal("null", o.desc)
    assert.equal("0", o.disks)
    assert.matches('Unsupported attribute; this object does not have an attribute named "nonexistent"',
      err_of(NET .. 'output "x" { value = huaweicloud_vpc.vpc.nonexistent }'))
  end)

  it("holds JSON in JSON attributes and answers data source lists of objects", function()
    local r = run([[
data "huaweicloud_cce_addon_template" "t" {
  cluster_id = "c"
  name       = "coredns"
  version    = "1.30.4"
}
data "huaweicloud_rds_flavors" "f" {
  db_type       = "MySQL"
  instance_mode = "ha"
  vcpus         = 2
  memory        = 4
}
data "huaweicloud_vpcs" "v" { name = "prod" }
output "vpc_names" { value = data.huaweicloud_vpcs.v.vpcs[*].name }
output "replicas" { value = jsondecode(data.huaweicloud_cce_addon_template.t.spec).parameters.flavor1.replicas }
output "rds" { value = data.huaweicloud_rds_flavors.f.flavors[0].name }
output "n" { value = length(data.huaweicloud_rds_flavors.f.flavors) }
output "vm" { value = length(data.huaweicloud_cce_addon_template.t.support_version[0].virtual_machine) }
]])
    local o = outputs(r)
    assert.equal("2", o.replicas)
    assert.equal('"rds.mysql.n1.large.2.ha"', o.rds)
    assert.equal("3", o.n)
    assert.equal('["prod","prod","prod"]', o.vpc_names)
    assert.equal("3", o.vm)
  end)

  it("gives a CCE cluster a kubeconfig whose server lies in the cluster's subnet", function()
    local r = run(NET .. [[
resource "huaweicloud_cce_cluster" "c" {
  name                   = "c"
  flavor_id              = "cce.s1.small"
  vpc_id                 = huaweicloud_vpc.vpc.id
  subnet_id              = huaweicloud_vpc_subnet.sub.id
  container_network_type = "overlay_l2"
}
output "server" { value = yamldecode(huaweicloud_cce_cluster.c.kube_config_raw).clusters[0].cluster.server }
output "ctx" { value = jsondecode(huaweicloud_cce_cluster.c.kube_config_raw)["current-context"] }
]])
    assert.matches('^"https://172%.16%.8%.100:5443"$', outputs(r).server)
    assert.equal('"internal"', outputs(r).ctx)
  end)

  it("leaves computed values unknown in a plan and takes nested blocks given as objects in .tf.json", function()
    local r = run(NET .. 'output "gw" { value = huaweicloud_vpc_subnet.sub.ipv4_subnet_id }', "plan")
    assert.equal(V.UNKNOWN, r.instances[2].object.ipv4_subnet_id)
    local j = run([[{"resource": {"huaweicloud_vpc_eip": {"e": {
      "publicip": {"type": "5_bgp"},
      "bandwidth": {"share_type": "PER", "name": "bw", "size": 5}}}},
      "output": {"addr": {"value": "${huaweicloud_vpc_eip.e.address}"}, "bw": {"value": "${huaweicloud_vpc_eip.e.bandwidth[0].size}"}}}]])
    local o = outputs(j)
    assert.matches('^"121%.36%.%d+%.%d+"$', o.addr)
    assert.equal("5", o.bw)
  end)

  it("treats attributes the provider marks sensitive as sensitive values", function()
    local vm = NET .. [[
resource "huaweicloud_compute_instance" "vm" {
  name       = "vm"
  admin_pass = "Passw0rd!"
  network { uuid = huaweicloud_vpc_subnet.sub.id }
}
]]
    assert.matches('Output refers to sensitive values; output "pw"',
      err_of(vm .. 'output "pw" { value = huaweicloud_compute_instance.vm.admin_pass }'))
    assert.matches('Output refers to sensitive values; output "kp"',
      err_of('resource "huaweicloud_kps_keypair" "k" { name = "k" }\noutput "kp" { value = huaweicloud_kps_keypair.k.private_key }'))
    local r = run(vm .. 'output "pw" {\n  value     = huaweicloud_compute_instance.vm.admin_pass\n  sensitive = true\n}\n' ..
      'output "ip" { value = huaweicloud_compute_instance.vm.network[0].fixed_ip_v4 }')
    assert.equal("<sensitive>", r.outputs[1].value)
    assert.is_true(schema.lookup("RESOURCE", "huaweicloud_rds_instance").blocks.db.attrs.password.sensitive)
  end)

  it("approximates types of other providers and huaweicloud types it has no schema for", function()
    local r = run('resource "huaweicloud_swr_organization" "o" { name = "o" }\nresource "example_thing" "t" { anything = 1 }\noutput "x" { value = huaweicloud_swr_organization.o.login_server }')
    assert.equal(2, #r.instances)
    assert.matches('^"login_server%-%x+"$', outputs(r).x)
  end)
end)

-- Cases from the structure of the provider docs' Example Usage blocks
-- (docs/resources/*.md, docs/data-sources/*.md) whose arguments or
-- attributes the schemas had wrong before they were checked against the docs.
describe("provider schemas as the provider's docs describe them", function()
  it("takes the extend_params and hostname_config blocks of CCE nodes and node pools", function()
    local node = [[
resource "huaweicloud_cce_node" "node" {
  cluster_id        = "c"
  name              = "node"
  flavor_id         = "s3.large.2"
  availability_zone = "cn-north-4a"
  key_pair          = "kp"
  root_volume {
    size       = 40
    volumetype = "SATA"
  }
  extend_params {
    market_type = "spot"
    spot_price  = "0.83"
  }
  hostname_config {
    type = "cceNodeName"
  }
}
resource "huaweicloud_cce_node_pool" "pool" {
  cluster_id         = "c"
  name               = "pool"
  os                 = "EulerOS 2.9"
  initial_node_count = 2
  flavor_id          = "s3.large.4"
  root_volume {
    size       = 40
    volumetype = "SAS"
  }
  data_volumes {
    size       = 100
    volumetype = "SAS"
  }
  extend_params {
    max_pods = 64
  }
}
output "spot" { value = huaweicloud_cce_node.node.extend_params[0].spot_price }
output "pods" { value = huaweicloud_cce_node_pool.pool.extend_params[0].max_pods }
output "az" { value = huaweicloud_cce_node_pool.pool.availability_zone }
]]
    local o = outputs(run(node))
    assert.equal('"0.83"', o.spot)
    assert.equal("64", o.pods)
    assert.matches('^"[%l%-]+%d[a-z]"$', o.az)
    assert.matches('Unsupported argument; An argument named "extend_params" is not expected here',
      err_of('resource "huaweicloud_cce_node" "n" {\n  cluster_id = "c"\n  flavor_id = "f"\n  availability_zone = "a"\n' ..
        '  extend_params = { max_pods = 64 }\n  root_volume {\n    size = 40\n    volumetype = "SAS"\n  }\n}'))
    assert.matches('huaweicloud_cce_node_pool%.p: Missing required argument; The argument "name" is required',
      err_of('resource "huaweicloud_cce_node_pool" "p" {\n  cluster_id = "c"\n  flavor_id = "f"\n  initial_node_count = 1\n' ..
        '  root_volume {\n    size = 40\n    volumetype = "SAS"\n  }\n  data_volumes {\n    size = 100\n    volumetype = "SAS"\n  }\n}'))
  end)

  it("reads a subnet's subnet_id from the vpc_subnet data source and sets a read replica's port", function()
    local o = outputs(run([[
data "huaweicloud_vpc_subnet" "mynet" {
  name = "subnet-default"
}
resource "huaweicloud_networking_vip" "myvip" {
  network_id = data.huaweicloud_vpc_subnet.mynet.id
  subnet_id  = data.huaweicloud_vpc_subnet.mynet.subnet_id
}
resource "huaweicloud_rds_read_replica_instance" "replica" {
  name                = "replica"
  flavor              = "rds.mysql.x1.large.2.rr"
  primary_instance_id = "p"
  availability_zone   = "cn-north-4a"
  security_group_id   = "sg"
  db {
    port = "8888"
  }
  volume {
    type = "CLOUDSSD"
    size = 50
  }
}
output "sub" { value = huaweicloud_networking_vip.myvip.subnet_id }
output "port" { value = huaweicloud_rds_read_replica_instance.replica.db[0].port }
output "user" { value = huaweicloud_rds_read_replica_instance.replica.db[0].user_name }
]]))
    assert.matches('^"%x+%-%x+%-4%x+%-8%x+%-%x+"$', o.sub)
    assert.equal("8888", o.port)
    assert.is_not.equal("null", o.user)
  end)

  it("answers computed lists of objects as objects (bandwidth EIPs, endpoint connections, WAF options)", function()
    local o = outputs(run([[
resource "huaweicloud_vpc_bandwidth" "bw" {
  name = "bandwidth_1"
  size = 5
}
resource "huaweicloud_vpcep_service" "demo" {
  name        = "demo-service"
  server_type = "VM"
  vpc_id      = "v"
  port_id     = "p"
  port_mapping {
    service_port  = 8080
    terminal_port = 80
  }
}
resource "huaweicloud_waf_policy" "p" {
  name = "policy_1"
}
output "eip" { value = huaweicloud_vpc_bandwidth.bw.publicips[0].type }
output "conn" { value = huaweicloud_vpcep_service.demo.connections[0].status }
output "waf" { value = huaweicloud_waf_policy.p.options[0].basic_web_protection }
]]))
    assert.equal('"5_bgp"', o.eip)
    assert.equal('"accepted"', o.conn)
    assert.equal("true", o.waf)
  end)

  it("takes the arguments the docs list: SNAT on a global EIP, ELB status codes, API group environments", function()
    local r = run([[
resource "huaweicloud_nat_snat_rule" "test" {
  nat_gateway_id = "g"
  global_eip_id  = "geip"
  source_type    = 1
  cidr           = "192.168.10.0/24"
}
resource "huaweicloud_elb_monitor" "monitor_1" {
  pool_id     = "p"
  protocol    = "HTTPS"
  interval    = 30
  timeout     = 20
  max_retries = 8
  url_path    = "/bb"
  domain_name = "www.bb.com"
  port        = 8888
  status_code = "200,301,404-500,504"
}
resource "huaweicloud_apig_group" "test" {
  name        = "group"
  instance_id = "i"
  environment {
    variable {
      name  = "ENV"
      value = "prod"
    }
    environment_id = "e"
  }
}
resource "huaweicloud_obs_bucket_acl" "acl" {
  bucket = "b"
  owner_permission {
    access_to_bucket = ["READ", "WRITE"]
  }
}
]])
    assert.equal(4, #r.instances)
  end)
end)

describe("provider schemas through the RFS API", function()
  local S = require("spec.emulator.rfs_support")
  local e
  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)

  it("fails the deployment and the execution plan with Terraform's message and the location", function()
    local tf = 'resource "huaweicloud_vpc" "v" {\n  nmae = "v"\n}\n'
    assert.equal(201, e.create("bad", tf).status)
    local m = e.stack("bad")
    assert.equal("DEPLOYMENT_FAILED", m.status)
    local ev = S.find_event(e.events("bad"), "ERROR")
    assert.matches('main%.tf:2,3: huaweicloud_vpc%.v: Unsupported argument; An argument named "nmae" is not expected here%. Did you mean "name"%?',
      ev.event_message)
    e.create("p")
    assert.equal(202, e.rfs("POST", "/stacks/p/execution-plans", { execution_plan_name = "x", template_body = tf }).status)
    local pm = e.rfs("GET", "/stacks/p/execution-plans/x/metadata").body
    assert.equal("CREATION_FAILED", pm.status)
    assert.matches("Unsupported argument", pm.status_message)
    -- the template itself parses: its variables can be listed
    assert.equal(200, e.rfs("POST", "/template-analyses/variables", { template_body = tf }).status)
  end)

  it("deploys plausible computed values into the stack's resource attributes and outputs", function()
    local r = e.create("ok", NET .. 'output "gw" { value = huaweicloud_vpc_subnet.sub.ipv4_subnet_id }\n')
    assert.equal(201, r.status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("ok").status)
    local res = e.rfs("GET", "/stacks/ok/resources").body.stack_resources
    local attrs = {}
    for _, x in ipairs(res) do
      if x.logical_resource_type == "huaweicloud_vpc_subnet" then
        for _, a in ipairs(x.resource_attributes) do attrs[a.key] = a.value end
      end
    end
    assert.equal("ap-southeast-3a", attrs.availability_zone)
    assert.matches("^%x+%-%x+%-4%x+%-8%x+%-%x+$", attrs.ipv4_subnet_id)
    local outs = e.rfs("GET", "/stacks/ok/outputs").body.outputs
    assert.equal('"' .. attrs.ipv4_subnet_id .. '"', outs[1].value)
  end)
end)
