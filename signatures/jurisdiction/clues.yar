// Structural maker clues: vendor container headers and fixed fields that name the maker.
//
// meta: method (a key of `weights` in attribution.yaml), org (an organisation id) or capture
// (a Python regular expression applied at the match; group 1 is the name, resolved against
// the data or, where the method allows it, reported as a maker the data does not hold),
// source (where the format is documented). A header only counts when it names the maker:
// a container format alone (Dahua DH, D-Link MH01, DrayTek, Senao) names no device maker.
// Each rule has a fixture of real bytes in tests/jurisdiction/test_attribution.py.

rule tplink_firmware_header {
  meta:
    method = "vendor-header"
    org = "tp-link"
    source = "TP-Link v1 firmware header (binwalk 'TP-Link firmware header'; fact_extractor tpl plugin)"
  strings:
    // 01 00 00 00 "TP-LINK Technologies" 00 00 00 00 "ver. 1.0"
    $h = { 01 00 00 00 54 50 2D 4C 49 4E 4B 20 54 65 63 68 6E 6F 6C 6F 67 69 65 73 00 00 00 00 76 65 72 2E 20 31 2E 30 }
  condition:
    $h
}

rule dji_firmware_module {
  meta:
    method = "vendor-header"
    org = "dji"
    source = "DJI firmware module header (fact_extractor dji plugin; o-gs/dji-firmware-tools): magic 0x12345678, 'DJI' at 12"
  strings:
    // 78 56 34 12 .. .. .. .. .. .. .. .. "DJI" 00
    $h = { 78 56 34 12 ?? ?? ?? ?? ?? ?? ?? ?? 44 4A 49 00 }
  condition:
    $h at 0
}

rule xerox_dlm_header {
  meta:
    method = "vendor-header"
    org = "xerox"
    source = "Xerox DLM (dynamic loadable module) header '%%XRXbegin' (fact_extractor xerox plugin)"
  strings:
    $h = "%%XRXbegin"
  condition:
    $h at 0
}

rule pjl_model {
  meta:
    method = "device-config"
    capture = "@PJL COMMENT MODEL=([A-Za-z][A-Za-z-]*) "
    source = "HP PJL firmware bundle header: '@PJL COMMENT MODEL=HP LaserJet ...' (fact_extractor hp plugin)"
  strings:
    $m = "@PJL COMMENT MODEL="
  condition:
    $m
}

rule pptp_vendor_string {
  meta:
    method = "protocol-vendor"
    capture = "(?s)^.{92}([A-Za-z][\\x20-\\x7e]{2,40})\\x00"
    source = "RFC 2637 Start-Control-Connection-Request (length 156, cookie 0x1A2B3C4D): vendor string at byte 92"
  strings:
    $h = { 00 9C 00 01 1A 2B 3C 4D 00 01 }
  condition:
    $h
}

rule ppstrong_platform_id {
  meta:
    method = "firmware-naming"
    capture = "\\b[a-z][0-9]-tuya[0-9]?_([a-z][a-z0-9]{2,20})\\x00"
    source = "PPStrong camera app platform id '<board>-<cloud>_<customer>' (ppsapp 'ppstrong-%s-%s.%s', S23hostapd_conf PLATFORM_ID)"
  strings:
    $p = /[a-z][0-9]-tuya[0-9]?_[a-z][a-z0-9]{2,20}\x00/
  condition:
    $p
}

rule micropython_board_banner {
  meta:
    method = "firmware-naming"
    capture = "^; ([A-Z][A-Za-z0-9 .-]{2,40}?) with [A-Za-z0-9-]{3,20}\\x00"
    source = "MicroPython banner MICROPY_BANNER_MACHINE = MICROPY_HW_BOARD_NAME \" with \" MICROPY_HW_MCU_NAME (py/modsys.c, ports/*/mpconfigboard.h)"
  strings:
    $b = /; [A-Z][A-Za-z0-9 .-]{2,40} with [A-Za-z0-9-]{3,20}\x00/
  condition:
    $b
}
