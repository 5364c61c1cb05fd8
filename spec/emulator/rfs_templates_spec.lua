-- RFS template management in the emulator over real HTTP: CreateTemplate,
-- ListTemplates, ShowTemplateMetadata, UpdateTemplateMetadata,
-- DeleteTemplate, CreateTemplateVersion, ListTemplateVersions,
-- ShowTemplateVersionContent (307), ShowTemplateVersionMetadata,
-- DeleteTemplateVersion.

local S = require("spec.emulator.rfs_support")
local zip = require("hwcloud.zip")

describe("RFS templates (emulator)", function()
  local e

  setup(function() e = S.start() end)
  teardown(function() if e then e.stop() end end)
  before_each(function() e.reset() end)

  local function create(name, body, extra)
    local b = { template_name = name, template_body = body or S.VPC_TF }
    for k, v in pairs(extra or {}) do b[k] = v end
    return e.rfs("POST", "/templates", b)
  end

  it("creates V1 (200), versions V2, V3 and lists them newest first", function()
    local r = create("vpc", nil, { template_description = "a vpc", version_description = "first" })
    assert.equal(200, r.status)
    assert.equal("V1", r.body.version_id)
    assert.equal(36, #r.body.template_id)
    local v2 = e.rfs("POST", "/templates/vpc/versions", { template_body = S.VPC_JSON, version_description = "json" })
    assert.equal(200, v2.status)
    assert.equal("V2", v2.body.version_id)
    assert.equal("V3", e.rfs("POST", "/templates/vpc/versions", { template_body = S.VPC_TF }).body.version_id)
    local vs = e.rfs("GET", "/templates/vpc/versions").body
    assert.equal(3, #vs.versions)
    assert.equal("V3", vs.versions[1].version_id)
    assert.equal("vpc", vs.versions[1].template_name)
    local l = e.rfs("GET", "/templates").body.templates
    assert.equal(1, #l)
    assert.equal("V3", l[1].latest_version_id)
    assert.equal("a vpc", l[1].template_description)
  end)

  it("serves version content through a 307 usable as template_uri", function()
    create("vpc")
    e.rfs("POST", "/templates/vpc/versions", { template_body = S.VPC_JSON })
    local r = e.rfs("GET", "/templates/vpc/versions/V2")
    assert.equal(307, r.status)
    local loc = r.headers["Location"]
    assert.matches("main%.tf%.json$", loc)
    assert.equal(S.VPC_JSON, e.send({ method = "GET", url = loc, headers = {} }).raw_body)
    local s = e.rfs("POST", "/stacks", { stack_name = "fromtpl", template_uri = loc })
    assert.equal(201, s.status)
    assert.equal("DEPLOYMENT_COMPLETE", e.stack("fromtpl").status)
    assert.equal(404, e.rfs("GET", "/templates/vpc/versions/V9").status)
    assert.equal("RF.10011038", e.rfs("GET", "/templates/vpc/versions/X1").code)
  end)

  it("shows and updates metadata", function()
    local id = create("vpc", nil, { template_description = "one" }).body.template_id
    local m = e.rfs("GET", "/templates/vpc/metadata").body
    assert.equal(id, m.template_id)
    assert.equal("one", m.template_description)
    assert.truthy(m.create_time)
    assert.equal(204, e.rfs("PATCH", "/templates/vpc/metadata", { template_description = "two" }).status)
    assert.equal("two", e.rfs("GET", "/templates/vpc/metadata").body.template_description)
    assert.equal("RF.10011084", e.rfs("PATCH", "/templates/vpc/metadata", { template_id = id }).code)
    assert.equal(400, e.rfs("GET", "/templates/vpc/metadata?template_id=" .. string.rep("0", 36)).status)
    local vm = e.rfs("GET", "/templates/vpc/versions/V1/metadata").body
    assert.equal("vpc", vm.template_name)
    assert.is_nil(vm.version_id)
  end)

  it("deletes versions but never the last one, then the template", function()
    create("vpc")
    e.rfs("POST", "/templates/vpc/versions", { template_body = S.VPC_TF })
    assert.equal(204, e.rfs("DELETE", "/templates/vpc/versions/V1").status)
    assert.equal(404, e.rfs("GET", "/templates/vpc/versions/V1/metadata").status)
    local last = e.rfs("DELETE", "/templates/vpc/versions/V2")
    assert.equal(403, last.status)
    assert.equal("V3", e.rfs("POST", "/templates/vpc/versions", { template_body = S.VPC_TF }).body.version_id)
    assert.equal(204, e.rfs("DELETE", "/templates/vpc").status)
    assert.equal(404, e.rfs("GET", "/templates/vpc/metadata").status)
    assert.same({}, e.rfs("GET", "/templates").body.templates)
  end)

  it("answers the documented errors", function()
    create("vpc")
    assert.equal(409, create("vpc").status)
    assert.equal("RF.10011010", create("_bad").code)
    assert.equal("RF.10011056", e.rfs("POST", "/templates", { template_name = "x" }).code)
    assert.equal("RF.10011073", create("broken", 'resource "a" {').code)
    assert.equal("RF.10011003", e.rfs("POST", "/templates", { template_name = "x", template_body = "a", template_uri = "https://h/a.tf" }).code)
    assert.equal(404, e.rfs("POST", "/templates/none/versions", { template_body = S.VPC_TF }).status)
    assert.equal(404, e.rfs("GET", "/templates/none/versions").status)
    assert.equal(404, e.rfs("DELETE", "/templates/none").status)
    assert.equal(404, e.rfs("PATCH", "/templates/none/metadata", { template_description = "x" }).status)
    assert.equal("RF.10011001", e.rfs("GET", "/templates", nil, { crid = false }).code)
    local p = e.rfs("GET", "/templates?limit=0")
    assert.equal(400, p.status)
  end)

  it("names the file behind template_uri (or the member of a .zip) in template errors", function()
    local function upload(name, body)
      return e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=" .. name, headers = {}, body = body }).body.url
    end
    local bad = 'resource "huaweicloud_vpc" "v" {\n  nmae = "v"\n}\n'
    local url = upload("network.tf", bad)
    assert.equal(201, e.rfs("POST", "/stacks", { stack_name = "n", template_uri = url }).status)
    assert.matches("network%.tf:2,3: huaweicloud_vpc%.v: Unsupported argument", e.stack("n").status_message)
    local zipped = upload("stack.zip", zip.build({ { name = "a.tf", data = S.VPC_TF }, { name = "b.tf", data = bad } }))
    e.rfs("POST", "/stacks", { stack_name = "z", template_uri = zipped })
    assert.matches("b%.tf:2,3: huaweicloud_vpc%.v: Unsupported argument", e.stack("z").status_message)
    local syntax = upload("broken.tf", 'locals {\n  a = [\n}\n')
    local r = e.rfs("POST", "/template-analyses/variables", { template_uri = syntax })
    assert.equal("RF.10011074", r.code)
    assert.matches("broken%.tf:3,1", r.body.error_msg)
    assert.matches("broken%.tf:3,1", e.rfs("POST", "/templates", { template_name = "t", template_uri = syntax }).body.error_msg)
  end)
end)
