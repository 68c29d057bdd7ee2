# Depot's machine image: a Debian 12 base plus ansible/site.yml with one release baked in.
#   packer build -only=amazon-ebs.depot -var version=1.4.0 -var commit=$(git rev-parse HEAD) -var jar=target/depot.jar packer/
# The local source runs the same provisioner against any host you point it at:
#   packer build -only=null.local -var ssh_host=169.254.10.2 -var ssh_private_key_file=KEY -var version=... -var jar=... packer/
# No secrets go into the image: depot.env is written at boot from SSM.

variable "version" {
  type        = string
  description = "Release version baked into the image."
}

variable "commit" {
  type        = string
  description = "Git commit the release was built from (tagged on the image)."
}

variable "jar" {
  type        = string
  description = "Path of the release jar on the build machine (its .sha256 beside it is checked when present)."
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "instance_type" {
  type    = string
  default = "t3.small"
}

variable "subnet_id" {
  type        = string
  default     = ""
  description = "Subnet of the build instance (empty: the default VPC)."
}

variable "root_volume_size_gb" {
  type    = number
  default = 8
}

variable "root_volume_iops" {
  type    = number
  default = 3000
}

variable "root_volume_throughput" {
  type        = number
  default     = 125
  description = "gp3 throughput in MiB/s."
}

variable "kms_key_id" {
  type        = string
  default     = ""
  description = "KMS key of the root volume, and so of the image's snapshot (empty: the account's EBS default key)."
}

variable "security_group_id" {
  type        = string
  default     = ""
  description = "Security group of the build instance: infra/account.yml's BakeSecurityGroupId (the bake role creates none)."
}

variable "ssh_host" {
  type        = string
  default     = "127.0.0.1"
  description = "Local source: the host to provision."
}

variable "ssh_port" {
  type    = number
  default = 22
}

variable "ssh_user" {
  type        = string
  default     = "admin"
  description = "Local source: the deploy user (sudo), as on Debian's EC2 images; sshd lets no other in after the bake."
}

variable "ssh_private_key_file" {
  type    = string
  default = ""
}

locals {
  stamp = formatdate("YYYYMMDDhhmmss", timestamp())
  tags = {
    Name    = "depot-${var.version}"
    Service = "depot"
    Version = var.version
    Commit  = var.commit
  }
}

source "amazon-ebs" "depot" {
  region        = var.region
  instance_type = var.instance_type
  subnet_id     = var.subnet_id
  ssh_username  = "admin"
  ami_name      = "depot-${var.version}-${local.stamp}"
  # The root volume is encrypted at launch, so the image's snapshot is too: no encrypted copy
  # (encrypt_boot) that would need the bake role to deregister and delete images.
  security_group_id = var.security_group_id

  source_ami_filter {
    owners      = ["136693071363"]
    most_recent = true
    filters = {
      name                = "debian-12-amd64-*"
      architecture        = "x86_64"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
    }
  }

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_type           = "gp3"
    volume_size           = var.root_volume_size_gb
    iops                  = var.root_volume_iops
    throughput            = var.root_volume_throughput
    encrypted             = true
    kms_key_id            = var.kms_key_id
    delete_on_termination = true
  }

  tags          = local.tags
  snapshot_tags = local.tags
  # Tagged at launch: the bake role may only launch, stop, image and terminate what carries it.
  run_tags        = merge(local.tags, { Name = "depot-bake-${var.version}", "depot:bake" = "true" })
  run_volume_tags = merge(local.tags, { "depot:bake" = "true" })
}

source "null" "local" {
  communicator         = "ssh"
  ssh_host             = var.ssh_host
  ssh_port             = var.ssh_port
  ssh_username         = var.ssh_user
  ssh_private_key_file = var.ssh_private_key_file
}

build {
  sources = ["source.amazon-ebs.depot", "source.null.local"]

  provisioner "ansible" {
    playbook_file = "${path.root}/../ansible/site.yml"
    use_proxy     = false
    user          = build.User
    extra_arguments = [
      "--become",
      "--extra-vars", "depot_release_version=${var.version}",
      "--extra-vars", "depot_release_jar=${abspath(var.jar)}",
    ]
    ansible_env_vars = [
      "ANSIBLE_CONFIG=${path.root}/../ansible/ansible.cfg",
      "ANSIBLE_HOST_KEY_CHECKING=False",
    ]
  }
}
