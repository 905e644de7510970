// Further daemons, tools and media libraries seen in embedded Linux.

rule isc_dhcp {
  meta:
    name = "isc-dhcp"
    vendor = "isc"
    purl_type = "generic"
    cpe = "isc:dhcp"
    website = "https://www.isc.org/dhcp/"
    version_regex = "Internet Systems Consortium DHCP (?:Server|Client|Relay Agent) (\\d+(?:\\.\\d+)+(?:-P\\d+)?)"
    confidence = 85
    description = "ISC DHCP banner"
  strings:
    $v = /Internet Systems Consortium DHCP (Server|Client|Relay Agent) [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule bind {
  meta:
    name = "bind"
    vendor = "isc"
    purl_type = "generic"
    cpe = "isc:bind"
    website = "https://www.isc.org/bind/"
    version_regex = "BIND (\\d+\\.\\d+\\.\\d+)"
    confidence = 80
    description = "ISC BIND version string"
  strings:
    $v = /BIND [0-9]+\.[0-9]+\.[0-9]+(-P[0-9]+)?/
  condition:
    any of them
}

rule unbound {
  meta:
    name = "unbound"
    vendor = "nlnetlabs"
    purl_type = "generic"
    cpe = "nlnetlabs:unbound"
    website = "https://nlnetlabs.nl/projects/unbound/"
    version_regex = "unbound (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Unbound resolver version"
  strings:
    $v = /unbound [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule quagga {
  meta:
    name = "quagga"
    vendor = "quagga"
    purl_type = "generic"
    cpe = "quagga:quagga"
    website = "https://www.nongnu.org/quagga/"
    version_regex = "Quagga[^\\x00]{0,20}?(\\d+\\.\\d+\\.\\d+)"
    confidence = 80
    description = "Quagga routing suite"
  strings:
    $v = /Quagga \(?(version )?[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule frr {
  meta:
    name = "frr"
    vendor = "frrouting"
    purl_type = "generic"
    cpe = "linuxfoundation:free_range_routing"
    website = "https://frrouting.org"
    version_regex = "FRRouting (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "FRRouting version"
  strings:
    $v = /FRRouting [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule bird {
  meta:
    name = "bird"
    vendor = "nic.cz"
    purl_type = "generic"
    cpe = "nic:bird"
    website = "https://bird.network.cz"
    version_regex = "BIRD (\\d+(?:\\.\\d+)+)"
    confidence = 75
    description = "BIRD routing daemon"
  strings:
    $v = /BIRD [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule tcpdump {
  meta:
    name = "tcpdump"
    vendor = "tcpdump"
    purl_type = "generic"
    cpe = "tcpdump:tcpdump"
    website = "https://www.tcpdump.org"
    version_regex = "tcpdump version (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "tcpdump version string"
  strings:
    $v = /tcpdump version [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule libpcap {
  meta:
    name = "libpcap"
    vendor = "tcpdump"
    purl_type = "generic"
    cpe = "tcpdump:libpcap"
    website = "https://www.tcpdump.org"
    version_regex = "libpcap version (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "libpcap version string"
  strings:
    $v = /libpcap version [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule wget {
  meta:
    name = "wget"
    vendor = "gnu"
    purl_type = "generic"
    cpe = "gnu:wget"
    website = "https://www.gnu.org/software/wget/"
    version_regex = "Wget/(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "GNU Wget user agent"
  strings:
    $v = /Wget\/[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule rsync {
  meta:
    name = "rsync"
    vendor = "samba"
    purl_type = "generic"
    cpe = "samba:rsync"
    website = "https://rsync.samba.org"
    version_regex = "rsync\\s+version (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "rsync version banner"
  strings:
    $v = /rsync +version [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule socat {
  meta:
    name = "socat"
    vendor = "dest-unreach"
    purl_type = "generic"
    cpe = "dest-unreach:socat"
    website = "http://www.dest-unreach.org/socat/"
    version_regex = "socat version (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "socat version banner"
  strings:
    $v = /socat version [0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule stunnel {
  meta:
    name = "stunnel"
    vendor = "stunnel"
    purl_type = "generic"
    cpe = "stunnel:stunnel"
    website = "https://www.stunnel.org"
    version_regex = "stunnel (\\d+\\.\\d+)"
    confidence = 80
    description = "stunnel version banner"
  strings:
    $v = /stunnel [0-9]+\.[0-9]+ on [a-z0-9_-]+/
  condition:
    any of them
}

rule sudo {
  meta:
    name = "sudo"
    vendor = "sudo_project"
    purl_type = "generic"
    cpe = "sudo_project:sudo"
    website = "https://www.sudo.ws"
    version_regex = "Sudo version (\\d+(?:\\.\\d+)+(?:p\\d+)?)"
    confidence = 85
    description = "sudo version banner"
  strings:
    $v = /Sudo version [0-9]+\.[0-9]+\.[0-9]+(p[0-9]+)?/
  condition:
    any of them
}

rule util_linux {
  meta:
    name = "util-linux"
    vendor = "kernel"
    purl_type = "generic"
    cpe = "kernel:util-linux"
    website = "https://github.com/util-linux/util-linux"
    version_regex = "util-linux (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "util-linux version string"
  strings:
    $v = /util-linux [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule e2fsprogs {
  meta:
    name = "e2fsprogs"
    vendor = "e2fsprogs_project"
    purl_type = "generic"
    cpe = "e2fsprogs_project:e2fsprogs"
    website = "https://e2fsprogs.sourceforge.net"
    version_regex = "(\\d+\\.\\d+(?:\\.\\d+)?) \\(\\d+-\\w+-\\d+\\)"
    confidence = 70
    description = "e2fsprogs version and date"
  strings:
    $v = /E2fsprogs version|mke2fs [0-9]+\.[0-9]+(\.[0-9]+)? \([0-9]+-[A-Za-z]+-[0-9]+\)/
  condition:
    any of them
}

rule mtd_utils {
  meta:
    name = "mtd-utils"
    vendor = "mtd-utils_project"
    purl_type = "generic"
    cpe = "mtd-utils_project:mtd-utils"
    website = "http://www.linux-mtd.infradead.org"
    version_regex = "mtd-utils[ -](\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "mtd-utils version string"
  strings:
    $v = /mtd-utils[ -][0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule iw {
  meta:
    name = "iw"
    vendor = "kernel"
    purl_type = "generic"
    cpe = "kernel:iw"
    website = "https://wireless.wiki.kernel.org/en/users/documentation/iw"
    version_regex = "iw version (\\d+(?:\\.\\d+)+)"
    confidence = 75
    description = "iw version string"
  strings:
    $v = /iw version [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule wireless_tools {
  meta:
    name = "wireless-tools"
    vendor = "hp"
    purl_type = "generic"
    cpe = "hp:wireless_tools"
    website = "https://hewlettpackard.github.io/wireless-tools/"
    version_regex = "Wireless-Tools version (\\d+)"
    confidence = 70
    description = "Wireless Tools (iwconfig) version"
  strings:
    $v = /Wireless-Tools version [0-9]+/
  condition:
    any of them
}

rule php {
  meta:
    name = "php"
    vendor = "php"
    purl_type = "generic"
    cpe = "php:php"
    website = "https://www.php.net"
    version_regex = "PHP/(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "PHP version string"
  strings:
    $v = /PHP\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule python {
  meta:
    name = "python"
    vendor = "python"
    purl_type = "generic"
    cpe = "python:python"
    website = "https://www.python.org"
    version_regex = "Python (\\d+\\.\\d+\\.\\d+)"
    confidence = 70
    description = "CPython version string"
  strings:
    $v = /Python [0-9]+\.[0-9]+\.[0-9]+ \(/
  condition:
    any of them
}

rule perl {
  meta:
    name = "perl"
    vendor = "perl"
    purl_type = "generic"
    cpe = "perl:perl"
    website = "https://www.perl.org"
    version_regex = "\\(v(\\d+(?:\\.\\d+)+)\\)"
    confidence = 75
    description = "Perl version banner"
  strings:
    $v = /This is perl[^\x00]{0,40}\(v[0-9]+\.[0-9]+\.[0-9]+\)/
  condition:
    any of them
}

rule libmicrohttpd {
  meta:
    name = "libmicrohttpd"
    vendor = "gnu"
    purl_type = "generic"
    cpe = "gnu:libmicrohttpd"
    website = "https://www.gnu.org/software/libmicrohttpd/"
    version_regex = "libmicrohttpd/?(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "GNU libmicrohttpd"
  strings:
    $v = /libmicrohttpd\/?[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule gsoap {
  meta:
    name = "gsoap"
    vendor = "genivia"
    purl_type = "generic"
    cpe = "genivia:gsoap"
    website = "https://www.genivia.com"
    version_regex = "gSOAP/(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "gSOAP server string (ONVIF stacks)"
  strings:
    $v = /gSOAP\/[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule linux_pam {
  meta:
    name = "linux-pam"
    vendor = "linux-pam"
    purl_type = "generic"
    cpe = "linux-pam:linux-pam"
    website = "https://github.com/linux-pam/linux-pam"
    version_regex = "Linux-PAM[ -](\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "Linux-PAM version"
  strings:
    $v = /Linux-PAM[ -][0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule speex {
  meta:
    name = "speex"
    vendor = "xiph"
    purl_type = "generic"
    cpe = "xiph:speex"
    website = "https://www.speex.org"
    version_regex = "speex-(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "Speex codec version"
  strings:
    $v = /speex-[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule opus {
  meta:
    name = "opus"
    vendor = "opus-codec"
    purl_type = "generic"
    cpe = "opus-codec:opus"
    website = "https://opus-codec.org"
    version_regex = "libopus (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Opus codec version"
  strings:
    $v = /libopus [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule lame {
  meta:
    name = "lame"
    vendor = "lame_project"
    purl_type = "generic"
    cpe = "lame_project:lame"
    website = "https://lame.sourceforge.io"
    version_regex = "LAME(?:3\\.\\d+)? ?(\\d+\\.\\d+)"
    confidence = 70
    description = "LAME MP3 encoder"
  strings:
    $v = /LAME [0-9]+\.[0-9]+/
  condition:
    any of them
}

rule faad2 {
  meta:
    name = "faad2"
    vendor = "audiocoding"
    purl_type = "generic"
    cpe = "audiocoding:faad2"
    website = "https://github.com/knik0/faad2"
    version_regex = "FAAD2? (?:version )?(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "FAAD2 AAC decoder"
  strings:
    $v = /FAAD2? (version )?[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule rtmpdump {
  meta:
    name = "librtmp"
    vendor = "rtmpdump"
    purl_type = "generic"
    cpe = "rtmpdump:rtmpdump"
    website = "https://rtmpdump.mplayerhq.hu"
    version_regex = "RTMPDump v(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "RTMPDump / librtmp"
  strings:
    $v = /RTMPDump v[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule libwebsockets {
  meta:
    name = "libwebsockets"
    vendor = "libwebsockets"
    purl_type = "generic"
    cpe = "libwebsockets:libwebsockets"
    website = "https://libwebsockets.org"
    version_regex = "libwebsockets[^\\x00]{0,10}?(\\d+\\.\\d+\\.\\d+)"
    confidence = 70
    description = "libwebsockets"
  strings:
    $v = /lws_create_context/
    $ver = /libwebsockets [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}
