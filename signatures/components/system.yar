// Operating systems, kernels, boot loaders and C libraries.
// Meta schema (checked by tests/identify/test_rules.py and `fwaudit signatures test`):
// name, vendor, purl_type, cpe (vendor:product), website, version_regex (one capture group,
// applied to each matched string), confidence (0-100), description.

rule linux_kernel {
  meta:
    name = "linux"
    vendor = "linux"
    purl_type = "generic"
    cpe = "linux:linux_kernel"
    website = "https://kernel.org"
    version_regex = "Linux version (\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "Linux kernel banner (init/version.c)"
  strings:
    $banner = /Linux version [0-9]+(\.[0-9]+)+[^\x00]{0,40}\(/
  condition:
    $banner
}

rule linux_kernel_vermagic {
  meta:
    name = "linux"
    vendor = "linux"
    purl_type = "generic"
    cpe = "linux:linux_kernel"
    website = "https://kernel.org"
    version_regex = "vermagic=(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "kernel module vermagic: the kernel it was built for"
  strings:
    $vermagic = /vermagic=[0-9]+(\.[0-9]+)+/
  condition:
    $vermagic
}

rule u_boot {
  meta:
    name = "u-boot"
    vendor = "denx"
    purl_type = "generic"
    cpe = "denx:u-boot"
    website = "https://www.denx.de/project/u-boot/"
    version_regex = "U-Boot (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "U-Boot version banner"
  strings:
    $banner = /U-Boot [0-9]{1,4}(\.[0-9]+)+[^\x00]{0,30}\(/
  condition:
    $banner
}

rule busybox {
  meta:
    name = "busybox"
    vendor = "busybox"
    purl_type = "generic"
    cpe = "busybox:busybox"
    website = "https://busybox.net"
    version_regex = "BusyBox v(\\d+(?:\\.\\d+)+(?:\\.git)?)"
    confidence = 95
    description = "BusyBox multi-call binary banner"
  strings:
    $banner = /BusyBox v[0-9]+(\.[0-9]+)+(\.git)?/
  condition:
    $banner
}

rule uclibc {
  meta:
    name = "uclibc"
    vendor = "uclibc"
    purl_type = "generic"
    cpe = "uclibc:uclibc"
    website = "https://uclibc.org"
    version_regex = "(?i)uclibc(?:-ng)?[-_ ]?(?:version )?(\\d+\\.\\d+(?:\\.\\d+)*)"
    confidence = 80
    description = "uClibc library name or version string"
  strings:
    $so = /libuClibc-[0-9]+\.[0-9]+(\.[0-9]+)*\.so/
    $ver = /uclibc-[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?/ nocase
  condition:
    any of them
}

rule uclibc_ng {
  meta:
    name = "uclibc-ng"
    vendor = "uclibc-ng"
    purl_type = "generic"
    cpe = "uclibc-ng_project:uclibc-ng"
    website = "https://uclibc-ng.org"
    version_regex = "uClibc-ng (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "uClibc-ng version string"
  strings:
    $ver = /uClibc-ng [0-9]+(\.[0-9]+)+/
  condition:
    $ver
}

rule musl {
  meta:
    name = "musl"
    vendor = "musl-libc"
    purl_type = "generic"
    cpe = "musl-libc:musl"
    website = "https://musl.libc.org"
    version_regex = "(?:musl libc[^\\n]*\\nVersion |musl-)(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "musl dynamic loader banner"
  strings:
    $loader = /musl libc \([a-z0-9_]+\)\nVersion [0-9]+(\.[0-9]+)+/
  condition:
    $loader
}

rule glibc {
  meta:
    name = "glibc"
    vendor = "gnu"
    purl_type = "generic"
    cpe = "gnu:glibc"
    website = "https://www.gnu.org/software/libc/"
    version_regex = "GNU C Library \\([^)]*\\) (?:stable release )?version (\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "glibc banner in libc.so"
  strings:
    $banner = /GNU C Library \([^)]{1,60}\) (stable release )?version [0-9]+(\.[0-9]+)+/
  condition:
    $banner
}

rule openwrt {
  meta:
    name = "openwrt"
    vendor = "openwrt"
    purl_type = "generic"
    cpe = "openwrt:openwrt"
    website = "https://openwrt.org"
    version_regex = "OpenWrt (\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "OpenWrt release banner"
  strings:
    $banner = /OpenWrt [0-9]{2}\.[0-9]{2}\.[0-9]+/
  condition:
    $banner
}

rule gcc_toolchain {
  meta:
    name = "gcc"
    vendor = "gnu"
    purl_type = "generic"
    cpe = "gnu:gcc"
    website = "https://gcc.gnu.org"
    version_regex = "GCC: \\([^)]*\\) (\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "compiler banner in .comment: toolchain information, reported as a firmware property, never as a component"
    kind = "toolchain"
  strings:
    $gcc = /GCC: \([^)\x00]{1,80}\) [0-9]+(\.[0-9]+)+/
  condition:
    $gcc
}
