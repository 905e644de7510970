// Real-time operating systems and embedded SDK runtimes.

rule vxworks {
  meta:
    name = "vxworks"
    vendor = "windriver"
    purl_type = "generic"
    cpe = "windriver:vxworks"
    website = "https://www.windriver.com/products/vxworks"
    version_regex = "VxWorks ?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "VxWorks kernel version string"
  strings:
    $v = /VxWorks ?[0-9]\.[0-9]+(\.[0-9]+)*/
  condition:
    any of them
}

rule freertos {
  meta:
    name = "freertos"
    vendor = "amazon"
    purl_type = "generic"
    cpe = "amazon:freertos"
    website = "https://www.freertos.org"
    version_regex = "FreeRTOS (?:Kernel )?V?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "FreeRTOS kernel version string"
  strings:
    $v = /FreeRTOS (Kernel )?V?[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule threadx {
  meta:
    name = "threadx"
    vendor = "microsoft"
    purl_type = "generic"
    cpe = "microsoft:azure_rtos_threadx"
    website = "https://github.com/eclipse-threadx/threadx"
    version_regex = "ThreadX [^\\x00]{0,40}?Version G?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "ThreadX copyright/version string"
  strings:
    $v = /ThreadX [^\x00]{0,40}Version G?[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule zephyr {
  meta:
    name = "zephyr"
    vendor = "zephyrproject"
    purl_type = "generic"
    cpe = "zephyrproject:zephyr"
    website = "https://www.zephyrproject.org"
    version_regex = "Zephyr OS (?:build )?v?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Zephyr boot banner"
  strings:
    $v = /Zephyr OS (build )?v?[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule ecos {
  meta:
    name = "ecos"
    vendor = "ecoscentric"
    purl_type = "generic"
    cpe = "ecos:ecos"
    website = "https://ecos.sourceware.org"
    version_regex = "eCos[^\\x00]{0,20}?(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "eCos kernel or RedBoot strings"
  strings:
    $v = /eCos (Release|release|version) [0-9]+(\.[0-9]+)+/
    $redboot = /RedBoot\(tm\) bootstrap and debug environment/
  condition:
    any of them
}

rule esp_idf {
  meta:
    name = "esp-idf"
    vendor = "espressif"
    purl_type = "generic"
    cpe = "espressif:esp-idf"
    website = "https://github.com/espressif/esp-idf"
    version_regex = "(?:esp-idf: v|\\x00v)(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "ESP-IDF version: idf_ver after the build date in the app descriptor, or an esp-idf version string"
  strings:
    $descriptor = /[0-9]{2}:[0-9]{2}:[0-9]{2}\x00+[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{4}\x00+v[0-9]+\.[0-9]+(\.[0-9]+)?/
    $idf = /esp-idf: v[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule micropython {
  meta:
    name = "micropython"
    vendor = "micropython"
    purl_type = "generic"
    cpe = "micropython:micropython"
    website = "https://micropython.org"
    version_regex = "MicroPython v(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "MicroPython REPL banner"
  strings:
    $v = /MicroPython v[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule nuttx {
  meta:
    name = "nuttx"
    vendor = "apache"
    purl_type = "generic"
    cpe = "apache:nuttx"
    website = "https://nuttx.apache.org"
    version_regex = "NuttX (?:version )?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Apache NuttX version string"
  strings:
    $v = /NuttX (version )?[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule redboot {
  meta:
    name = "redboot"
    vendor = "ecoscentric"
    purl_type = "generic"
    cpe = "ecoscentric:redboot"
    website = "https://ecos.sourceware.org/redboot/"
    version_regex = "version \\\"?v?(\\d+(?:[._]\\d+)+)"
    confidence = 70
    description = "RedBoot boot loader banner (versions such as v2_0 are kept as written)"
  strings:
    $v = /RedBoot\(tm\) bootstrap and debug environment[^\x00]{0,80}/
  condition:
    $v
}

rule lwip {
  meta:
    name = "lwip"
    vendor = "lwip_project"
    purl_type = "generic"
    cpe = "lwip_project:lwip"
    website = "https://savannah.nongnu.org/projects/lwip/"
    version_regex = "lwIP[/ ](\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "lwIP TCP/IP stack version"
  strings:
    $v = /lwIP[\/ ][0-9]+(\.[0-9]+)+/
  condition:
    any of them
}
