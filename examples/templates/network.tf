# The template of examples/deploy_stack.lua: one VPC and `subnet_count`
# subnets carved out of its CIDR. Plain Terraform HCL for the huaweicloud
# provider: RFS on Huawei Cloud deploys it, and so does the emulator.

terraform {
  required_providers {
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = ">= 1.40.0"
    }
  }
}

variable "name" {
  type        = string
  description = "Prefix of every resource name"
  default     = "lua-hwcloud-demo"
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR of the VPC; each subnet takes one /24 of it"
  default     = "10.20.0.0/16"
}

variable "subnet_count" {
  type        = number
  description = "How many subnets to create"
  default     = 1
}

resource "huaweicloud_vpc" "main" {
  name = var.name
  cidr = var.vpc_cidr
}

resource "huaweicloud_vpc_subnet" "web" {
  count      = var.subnet_count
  name       = "${var.name}-web-${count.index}"
  vpc_id     = huaweicloud_vpc.main.id
  cidr       = cidrsubnet(var.vpc_cidr, 8, count.index)
  gateway_ip = cidrhost(cidrsubnet(var.vpc_cidr, 8, count.index), 1)
}

output "vpc_id" {
  description = "Id of the VPC"
  value       = huaweicloud_vpc.main.id
}

output "subnet_cidrs" {
  description = "CIDR of every subnet"
  value       = huaweicloud_vpc_subnet.web[*].cidr
}
