// Camera and IoT vendor SDKs that matter for supply-chain risk.

rule kalay_iotc {
  meta:
    name = "kalay-iotc"
    vendor = "throughtek"
    purl_type = "generic"
    cpe = "throughtek:kalay_p2p_sdk"
    website = "https://www.throughtek.com"
    version_regex = "IOTC[^\\x00]{0,20}?(\\d+\\.\\d+\\.\\d+\\.\\d+)"
    confidence = 80
    description = "ThroughTek Kalay IOTC/AVAPI P2P SDK"
  strings:
    $a = "IOTC_Initialize"
    $b = "IOTC_Connect_ByUID"
    $c = "avClientStart"
    $d = "IOTC_Get_Version"
  condition:
    2 of them
}

rule ilnkp2p {
  meta:
    name = "ilnkp2p"
    vendor = "shenzhen_yunni"
    purl_type = "generic"
    cpe = "shenzhen_yunni:ilnkp2p"
    website = "http://www.iotcplatform.com"
    version_regex = "iLnkP2P[^\\x00]{0,20}?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "iLnkP2P library (Shenzhen Yunni)"
  strings:
    $a = "iLnkP2P"
    $b = "PPPP_ConnectByServer"
  condition:
    $a or $b
}

rule cs2_pppp {
  meta:
    name = "cs2-pppp"
    vendor = "cs2_network"
    purl_type = "generic"
    cpe = "cs2_network:p2p_sdk"
    website = "http://www.cs2-network.com"
    version_regex = "PPPP[^\\x00]{0,20}?(\\d+(?:\\.\\d+)+)"
    confidence = 75
    description = "CS2 Network PPPP P2P library"
  strings:
    $a = "PPPP_Initialize"
    $b = "PPPP_Connect"
    $c = "PPPP_Check"
  condition:
    2 of them
}

rule tuya_sdk {
  meta:
    name = "tuya-iot-sdk"
    vendor = "tuya"
    purl_type = "generic"
    cpe = "tuya:iot_sdk"
    website = "https://developer.tuya.com"
    version_regex = "TUYA IOT SDK V:(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Tuya IoT device SDK"
  strings:
    $v = /TUYA IOT SDK V:[0-9]+(\.[0-9]+)+/
    $a = "tuya_iot_init"
    $b = "tuya_iot_wf_"
  condition:
    any of them
}

rule hisilicon_mpp {
  meta:
    name = "hisilicon-mpp"
    vendor = "hisilicon"
    purl_type = "generic"
    cpe = "hisilicon:mpp"
    website = "https://www.hisilicon.com"
    version_regex = "_MPP_V(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "HiSilicon Media Process Platform (hi35xx)"
  strings:
    $v = /Hi35[0-9A-Z]+_MPP_V[0-9]+(\.[0-9]+)+/
    // the MPP API as symbol names (NUL-delimited, as the dynamic symbol table holds them),
    // not as words of a log message ("H264:HI_MPI_VENC_EnableIDR failed" in a port to
    // another SoC)
    $a = "\x00HI_MPI_SYS_Init\x00"
    $b = /\x00HI_MPI_VENC_[A-Za-z]{3,40}\x00/
  condition:
    any of them
}

rule ingenic_imp {
  meta:
    name = "ingenic-imp"
    vendor = "ingenic"
    purl_type = "generic"
    cpe = "ingenic:imp"
    website = "https://www.ingenic.com.cn"
    version_regex = "IMP-(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Ingenic IMP media SDK (T-series SoCs)"
  strings:
    $v = /IMP-[0-9]+\.[0-9]+\.[0-9]+/
    $a = "IMP_System_Init"
    $b = "IMP_Encoder_"
  condition:
    any of them
}

rule xiongmai_sdk {
  meta:
    name = "xiongmai-sdk"
    vendor = "xiongmai"
    purl_type = "generic"
    cpe = "xiongmai:netsurveillance"
    website = "http://www.xiongmaitech.com"
    version_regex = "XM[^\\x00]{0,20}?V(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "Xiongmai (XMEye / NetSurveillance) device software"
  strings:
    $a = "XMEye"
    $b = "xmeye"
    $c = "NetSurveillance"
  condition:
    any of them
}

rule hikvision_sdk {
  meta:
    name = "hikvision-sdk"
    vendor = "hikvision"
    purl_type = "generic"
    cpe = "hikvision:device_sdk"
    website = "https://www.hikvision.com"
    version_regex = "V(\\d+\\.\\d+\\.\\d+) build"
    confidence = 70
    description = "Hikvision device software and SDK strings"
  strings:
    $a = "Hikvision"
    $b = "hikvision"
    $c = "HIKVISION"
  condition:
    any of them
}

rule dahua_sdk {
  meta:
    name = "dahua-sdk"
    vendor = "dahua"
    purl_type = "generic"
    cpe = "dahuasecurity:device_sdk"
    website = "https://www.dahuasecurity.com"
    version_regex = "V(\\d+\\.\\d+\\.\\d+)"
    confidence = 70
    description = "Dahua device software and SDK strings"
  strings:
    $a = "DahuaTech"
    $b = "Dahua Technology"
    $c = "dahuasecurity"
  condition:
    any of them
}

rule anyka_sdk {
  meta:
    name = "anyka-sdk"
    vendor = "anyka"
    purl_type = "generic"
    cpe = "anyka:sdk"
    website = "http://www.anyka.com"
    version_regex = "V(\\d+\\.\\d+\\.\\d+)"
    confidence = 70
    description = "Anyka SoC SDK (camera SoCs)"
  strings:
    $a = "ak_vi_open"
    $b = "ak_venc_open"
    $c = "anyka"
  condition:
    2 of them
}
