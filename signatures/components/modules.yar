// Radio and cellular modules the firmware drives: the module's own answer to ATI / AT+CGMM /
// AT+GMR (maker and model, "Quectel\r\nEC25", "SIMCOM_SIM7600E-H") and its firmware
// revision string ("EC25EFAR06A06M4G", "SWI9X30C_02.24.05.06").
//
// kind = "module": these sightings are not components by themselves. fwaudit/identify/
// modules.py groups them per maker and model into one device component, reads the model
// with `model_regex` (one capture group, applied to the matched bytes), and tells a module
// the firmware drives from a list of modules it supports (a file naming many models or
// makers is a list: "supported", never "present"). `version_regex` captures the module's
// firmware revision, kept as written. USB vendor/product IDs are data of their own
// (usb_modules.tsv); Wi-Fi chipset blobs and chip drivers are file names (radio_firmware.tsv).

rule quectel_module {
  meta:
    maker = "Quectel"
    name = "quectel-module"
    vendor = "quectel"
    purl_type = "generic"
    cpe = "quectel:cellular_module"
    website = "https://www.quectel.com"
    version_regex = "((?:E[CGMP]|BG|RM|RG|AG|UC|BC)[0-9]{2,3}[A-Z0-9]{1,8}R[0-9]{2}A[0-9]{2}[A-Z0-9]{2,10})"
    model_regex = "(?:Quectel[\\r\\n _-]{1,4})?((?:E[CGMP]|BG|RM|RG|AG|UC|BC|EM)[0-9]{2,3})"
    confidence = 85
    kind = "module"
    description = "Quectel cellular module (AT banner or firmware revision)"
  strings:
    // revision: model, variant, then R<nn>A<nn> and a build suffix (EC25EFAR06A06M4G)
    // (literal model prefixes: a regex starting with a character class slows every scan)
    $revision = /\b(EC2|EC6|EG0|EG1|EG2|EG8|EG9|EP0|EM0|EM1|BG7|BG9|BC6|BC9|RM5|RG5|AG3|AG5|UC1|UC2)[0-9A-Z]{1,9}R[0-9]{2}A[0-9]{2}[A-Z0-9]{2,10}\b/
    $banner = /\bQuectel[\r\n _-]{1,4}(E[CGMP]|BG|RM|RG|AG|UC|BC|EM)[0-9]{2,3}[A-Z]{0,2}\b/
  condition:
    any of them
}

rule simcom_module {
  meta:
    maker = "SIMCom"
    name = "simcom-module"
    vendor = "simcom"
    purl_type = "generic"
    cpe = "simcom:cellular_module"
    website = "https://www.simcom.com"
    version_regex = "(LE[0-9]{2}B[0-9]{2}SIM[0-9]{4}[A-Z0-9]{2,8})"
    model_regex = "((?:SIM|A)[0-9]{3,4})"
    confidence = 85
    kind = "module"
    description = "SIMCom cellular module (AT banner or firmware revision)"
  strings:
    $banner = /\bSIMCOM[_ ](SIM|A)[0-9]{3,4}[A-Z0-9-]{0,8}/ nocase
    $revision = /\bLE[0-9]{2}B[0-9]{2}SIM[0-9]{4}[A-Z0-9]{2,8}\b/
  condition:
    any of them
}

rule fibocom_module {
  meta:
    maker = "Fibocom"
    name = "fibocom-module"
    vendor = "fibocom"
    purl_type = "generic"
    cpe = "fibocom:cellular_module"
    website = "https://www.fibocom.com"
    version_regex = "Fibocom[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "(?i)Fibocom[ _-]?((?:L|FM|FG|NL|MA)[0-9]{3}(?:-GL)?)"
    confidence = 80
    kind = "module"
    description = "Fibocom cellular module (AT banner)"
  strings:
    $banner = /\bFibocom[ _-]?(L|FM|FG|NL|MA)[0-9]{3}(-GL)?\b/ nocase
  condition:
    $banner
}

rule meig_module {
  meta:
    maker = "MeiG"
    name = "meig-module"
    vendor = "meig"
    purl_type = "generic"
    cpe = "meig:cellular_module"
    website = "https://www.meigsmart.com"
    version_regex = "MeiG[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "(?i)MeiG[ _-]?(S[LR]M[0-9]{3}[A-Z]?)"
    confidence = 80
    kind = "module"
    description = "MeiG Smart cellular module (AT banner)"
  strings:
    $banner = /\bMeiG[ _-]?S[LR]M[0-9]{3}[A-Z]?\b/ nocase
  condition:
    $banner
}

rule neoway_module {
  meta:
    maker = "Neoway"
    name = "neoway-module"
    vendor = "neoway"
    purl_type = "generic"
    cpe = "neoway:cellular_module"
    website = "https://www.neoway.com"
    version_regex = "Neoway[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "(?i)Neoway[ _-]?(N[0-9]{2,3}[A-Z]?)"
    confidence = 80
    kind = "module"
    description = "Neoway cellular module (AT banner)"
  strings:
    $banner = /\bNeoway[ _-]?N[0-9]{2,3}[A-Z]?\b/ nocase
  condition:
    $banner
}

rule ublox_module {
  meta:
    maker = "u-blox"
    name = "u-blox-module"
    vendor = "u-blox"
    purl_type = "generic"
    cpe = "u-blox:cellular_module"
    website = "https://www.u-blox.com"
    version_regex = "u-blox[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "(?i)u-blox[ _-]?((?:SARA|LARA|LISA|TOBY|NINA|ODIN|JODY|MAYA)-[A-Z][0-9]{1,3}[A-Z]?)"
    confidence = 80
    kind = "module"
    description = "u-blox cellular or short-range radio module (AT banner; GNSS receivers are not transmitters and are left out)"
  strings:
    $banner = /\bu-blox[ _-]?(SARA|LARA|LISA|TOBY|NINA|ODIN|JODY|MAYA)-[A-Z][0-9]{1,3}[A-Z0-9]{0,4}\b/ nocase
  condition:
    $banner
}

rule telit_module {
  meta:
    maker = "Telit"
    name = "telit-module"
    vendor = "telit"
    purl_type = "generic"
    cpe = "telit:cellular_module"
    website = "https://www.telit.com"
    version_regex = "Telit[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "(?i)Telit[ _-]?((?:LE|LN|ME|FN|HE|UE|LM)9[0-9]{2}(?:C[0-9])?)"
    confidence = 80
    kind = "module"
    description = "Telit (Telit Cinterion) cellular module (AT banner)"
  strings:
    $banner = /\bTelit[ _-]?(LE|LN|ME|FN|HE|UE|LM)9[0-9]{2}[A-Z0-9-]{0,8}\b/ nocase
  condition:
    $banner
}

rule sierra_module {
  meta:
    maker = "Sierra Wireless"
    name = "sierra-wireless-module"
    vendor = "sierra_wireless"
    purl_type = "generic"
    cpe = "sierrawireless:cellular_module"
    website = "https://www.sierrawireless.com"
    version_regex = "SWI9X[0-9]{2}[A-Z]_([0-9]{2}(?:\\.[0-9]{2}){3})"
    model_regex = "(?i)((?:EM|MC|HL|WP|RV|AR)[0-9]{4})"
    confidence = 85
    kind = "module"
    description = "Sierra Wireless cellular module (AT banner or SWI9X firmware revision)"
  strings:
    // ATI: "Manufacturer: Sierra Wireless, Incorporated\r\nModel: EM7455"
    $banner = /\bSierra Wireless[^\x00]{0,48}\b(EM|MC|HL|WP|RV|AR)[0-9]{4}\b/ nocase
    $revision = /\bSWI9X[0-9]{2}[A-Z]_[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{2}\b/
  condition:
    any of them
}

rule huawei_module {
  meta:
    maker = "Huawei"
    name = "huawei-module"
    vendor = "huawei"
    purl_type = "generic"
    cpe = "huawei:cellular_module"
    website = "https://www.huawei.com"
    version_regex = "Huawei[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "(?i)Huawei[^\\x00]{0,48}?\\b((?:ME|MU|MH|ML)[0-9]{3,4}[a-z]?)"
    confidence = 80
    kind = "module"
    description = "Huawei cellular module (AT banner)"
  strings:
    // "Huawei ME909s-120", or ATI: "Manufacturer: Huawei Technologies Co., Ltd.\r\nModel: ME909s-120"
    $banner = /\bHuawei[^\x00]{0,48}\b(ME|MU|MH|ML)[0-9]{3,4}[a-z]?(-[0-9]{3})?\b/ nocase
  condition:
    $banner
}

rule zte_module {
  meta:
    maker = "ZTE"
    name = "zte-module"
    vendor = "zte"
    purl_type = "generic"
    cpe = "zte:cellular_module"
    website = "https://www.zte.com.cn"
    version_regex = "ZTE[^\\x00]{0,40}?Revision:? ?([0-9]+(?:\\.[0-9]+)+)"
    model_regex = "ZTE[ _-]?((?:ME|ZM|MC)[0-9]{4}|MF[0-9]{3}[A-Z]?)"
    confidence = 80
    kind = "module"
    description = "ZTE cellular module or modem (AT banner)"
  strings:
    // 3 letters: case-exact only
    $banner = /\bZTE[ _-]?((ME|ZM|MC)[0-9]{4}|MF[0-9]{3}[A-Z]?)\b/
  condition:
    $banner
}

// Not a module: a file that holds USB vendor/product ID tables (a driver's modinfo aliases,
// udev rules, usb_modeswitch settings, a script binding an ID to a driver). kind = "usb-id":
// modules.py reads such files for the IDs and looks them up in usb_modules.tsv.
rule usb_id_table {
  meta:
    name = "usb-id-table"
    vendor = "usb"
    purl_type = "generic"
    cpe = "usb:id_table"
    website = "https://www.usb.org"
    version_regex = "usb:v[0-9A-F]{4}p[0-9A-F]{4}d([0-9]+(?:\\.[0-9]+)+)"
    confidence = 30
    kind = "usb-id"
    description = "USB vendor and product ID table (driver aliases, udev rules, usb_modeswitch, new_id scripts)"
  strings:
    $alias = /usb:v[0-9A-F]{4}p[0-9A-F]{4}d/
    $udev = /ATTRS?\{id(Vendor|Product)\}/
    $new_id = /\/new_id\b/
    $usb_device = /USB_DEVICE[A-Z_]*\(\s*0x[0-9a-fA-F]{4}/
    $modeswitch = /(Default|Target)Vendor\s*=\s*0x[0-9a-fA-F]{4}/
    $lsusb = /lsusb[^\n]{0,40}\b[0-9a-fA-F]{4}:[0-9a-fA-F]{4}\b/
  condition:
    any of them
}
