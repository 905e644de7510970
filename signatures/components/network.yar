// Network daemons and tools.

rule dropbear {
  meta:
    name = "dropbear"
    vendor = "dropbear_ssh_project"
    purl_type = "generic"
    cpe = "dropbear_ssh_project:dropbear_ssh"
    website = "https://matt.ucc.asn.au/dropbear/dropbear.html"
    version_regex = "(?i)dropbear[_ ](?:sshd? v)?(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "Dropbear SSH version string (SSH-2.0-dropbear_X)"
  strings:
    $ident = /[Dd]ropbear_[0-9]+(\.[0-9]+)+/
    $banner = /Dropbear (sshd|SSH client|multi-purpose) v[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule openssh {
  meta:
    name = "openssh"
    vendor = "openbsd"
    purl_type = "generic"
    cpe = "openbsd:openssh"
    website = "https://www.openssh.com"
    version_regex = "OpenSSH_(\\d+\\.\\d+(?:p\\d+)?)"
    confidence = 90
    description = "OpenSSH protocol version string"
  strings:
    $v = /OpenSSH_[0-9]+\.[0-9]+(p[0-9]+)?/
  condition:
    any of them
}

rule dnsmasq {
  meta:
    name = "dnsmasq"
    vendor = "thekelleys"
    purl_type = "generic"
    cpe = "thekelleys:dnsmasq"
    website = "https://thekelleys.org.uk/dnsmasq/doc.html"
    version_regex = "(?:dnsmasq-|^)(\\d+\\.\\d+(?:\\.\\d+)*)"
    confidence = 90
    description = "dnsmasq version.bind answer or version next to its usage text"
  strings:
    $bind = /dnsmasq-[0-9]+\.[0-9]+(\.[0-9]+)?/
    $usage = /[0-9]+\.[0-9]+(\.[0-9]+)?[\x00\n]{1,8}Dnsmasq version %s/
  condition:
    any of them
}

rule hostapd {
  meta:
    name = "hostapd"
    vendor = "w1.fi"
    purl_type = "generic"
    cpe = "w1.fi:hostapd"
    website = "https://w1.fi/hostapd/"
    version_regex = "hostapd v(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "hostapd banner"
  strings:
    $v = /hostapd v[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule wpa_supplicant {
  meta:
    name = "wpa_supplicant"
    vendor = "w1.fi"
    purl_type = "generic"
    cpe = "w1.fi:wpa_supplicant"
    website = "https://w1.fi/wpa_supplicant/"
    version_regex = "wpa_supplicant v(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "wpa_supplicant banner"
  strings:
    $v = /wpa_supplicant v[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule udhcp {
  meta:
    name = "udhcp"
    vendor = "busybox"
    purl_type = "generic"
    cpe = "busybox:udhcp"
    website = "https://udhcp.busybox.net"
    version_regex = "(?i)udhcp[cd]? \\(?v?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "standalone udhcp (not the BusyBox applet, which carries BusyBox's version)"
  strings:
    $v = /uDHCP [0-9]+(\.[0-9]+)+/
    $d = /udhcp[cd] \(v[0-9]+(\.[0-9]+)+\)/
    $bb = "BusyBox v"
  condition:
    ($v or $d) and not $bb
}

rule miniupnpd {
  meta:
    name = "miniupnpd"
    vendor = "miniupnp_project"
    purl_type = "generic"
    cpe = "miniupnp_project:miniupnpd"
    website = "http://miniupnp.free.fr"
    version_regex = "(?i)miniupnpd[ /](\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "MiniUPnPd server string"
  strings:
    $v = /[Mm]ini[Uu][Pp][Nn][Pp]d[ \/][0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule avahi {
  meta:
    name = "avahi"
    vendor = "avahi"
    purl_type = "generic"
    cpe = "avahi:avahi"
    website = "https://avahi.org"
    version_regex = "avahi (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Avahi daemon version"
  strings:
    $v = /avahi [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule samba {
  meta:
    name = "samba"
    vendor = "samba"
    purl_type = "generic"
    cpe = "samba:samba"
    website = "https://www.samba.org"
    version_regex = "Samba (?:version )?(\\d+(?:\\.\\d+)+[a-z]?)"
    confidence = 85
    description = "Samba version string"
  strings:
    $v = /Samba (version )?[0-9]+\.[0-9]+(\.[0-9]+)*[a-z]?/
  condition:
    any of them
}

rule ntp {
  meta:
    name = "ntp"
    vendor = "ntp"
    purl_type = "generic"
    cpe = "ntp:ntp"
    website = "https://www.ntp.org"
    version_regex = "ntpd (\\d+(?:\\.\\d+)+(?:p\\d+)?)"
    confidence = 85
    description = "ntpd version string"
  strings:
    $v = /ntpd [0-9]+\.[0-9]+\.[0-9]+(p[0-9]+)?/
  condition:
    any of them
}

rule chrony {
  meta:
    name = "chrony"
    vendor = "tuxfamily"
    purl_type = "generic"
    cpe = "tuxfamily:chrony"
    website = "https://chrony-project.org"
    version_regex = "chronyd \\(chrony\\) version (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "chronyd version string"
  strings:
    $v = /chronyd \(chrony\) version [0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule iptables {
  meta:
    name = "iptables"
    vendor = "netfilter"
    purl_type = "generic"
    cpe = "netfilter:iptables"
    website = "https://www.netfilter.org/projects/iptables/"
    version_regex = "iptables(?:-\\w+)? v(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "iptables version string"
  strings:
    $v = /iptables(-[a-z]+)? v[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule ppp {
  meta:
    name = "ppp"
    vendor = "samba"
    purl_type = "generic"
    cpe = "samba:ppp"
    website = "https://ppp.samba.org"
    version_regex = "pppd (?:version )?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "pppd version string"
  strings:
    $v = /pppd (version )?[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule openvpn {
  meta:
    name = "openvpn"
    vendor = "openvpn"
    purl_type = "generic"
    cpe = "openvpn:openvpn"
    website = "https://openvpn.net"
    version_regex = "OpenVPN (\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "OpenVPN version banner"
  strings:
    $v = /OpenVPN [0-9]+\.[0-9]+(\.[0-9]+)?(_[a-z0-9]+)? [a-z0-9_-]+-[a-z]/
  condition:
    any of them
}

rule strongswan {
  meta:
    name = "strongswan"
    vendor = "strongswan"
    purl_type = "generic"
    cpe = "strongswan:strongswan"
    website = "https://www.strongswan.org"
    version_regex = "strongSwan (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "strongSwan version string"
  strings:
    $v = /strongSwan [0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule ipsec_tools {
  meta:
    name = "ipsec-tools"
    vendor = "ipsec-tools"
    purl_type = "generic"
    cpe = "ipsec-tools:ipsec-tools"
    website = "https://ipsec-tools.sourceforge.net"
    version_regex = "ipsec-tools (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "ipsec-tools version string"
  strings:
    $v = /ipsec-tools [0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule dhcpcd {
  meta:
    name = "dhcpcd"
    vendor = "roy_marples"
    purl_type = "generic"
    cpe = "roy_marples:dhcpcd"
    website = "https://roy.marples.name/projects/dhcpcd"
    version_regex = "dhcpcd[- ](\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "dhcpcd version string"
  strings:
    $v = /dhcpcd[- ][0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule net_snmp {
  meta:
    name = "net-snmp"
    vendor = "net-snmp"
    purl_type = "generic"
    cpe = "net-snmp:net-snmp"
    website = "http://www.net-snmp.org"
    version_regex = "NET-SNMP[ /](?:version )?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Net-SNMP version string"
  strings:
    $v = /NET-SNMP[ \/](version )?[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule vsftpd {
  meta:
    name = "vsftpd"
    vendor = "beasts"
    purl_type = "generic"
    cpe = "beasts:vsftpd"
    website = "https://security.appspot.com/vsftpd.html"
    version_regex = "vsftpd:? (?:version )?(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "vsftpd version string"
  strings:
    $v = /vsftpd:? (version )?[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule proftpd {
  meta:
    name = "proftpd"
    vendor = "proftpd"
    purl_type = "generic"
    cpe = "proftpd:proftpd"
    website = "http://www.proftpd.org"
    version_regex = "ProFTPD (\\d+(?:\\.\\d+)+[a-z]?)"
    confidence = 85
    description = "ProFTPD version string"
  strings:
    $v = /ProFTPD [0-9]+\.[0-9]+\.[0-9]+[a-z]?/
  condition:
    any of them
}

rule pure_ftpd {
  meta:
    name = "pure-ftpd"
    vendor = "pureftpd"
    purl_type = "generic"
    cpe = "pureftpd:pure-ftpd"
    website = "https://www.pureftpd.org"
    version_regex = "pure-ftpd v?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Pure-FTPd version string"
  strings:
    $v = /pure-ftpd v?[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule radvd {
  meta:
    name = "radvd"
    vendor = "litech"
    purl_type = "generic"
    cpe = "litech:radvd"
    website = "https://radvd.litech.org"
    version_regex = "radvd (?:version )?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "radvd version string"
  strings:
    $v = /radvd (version )?[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule igmpproxy {
  meta:
    name = "igmpproxy"
    vendor = "igmpproxy_project"
    purl_type = "generic"
    cpe = "igmpproxy_project:igmpproxy"
    website = "https://github.com/pali/igmpproxy"
    version_regex = "[Ii]gmpproxy,? [Vv](?:ersion )?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "igmpproxy version string"
  strings:
    $v = /[Ii]gmpproxy,? [Vv](ersion )?[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule lldpd {
  meta:
    name = "lldpd"
    vendor = "lldpd_project"
    purl_type = "generic"
    cpe = "lldpd_project:lldpd"
    website = "https://lldpd.github.io"
    version_regex = "lldpd (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "lldpd version string"
  strings:
    $v = /lldpd [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule libupnp {
  meta:
    name = "libupnp"
    vendor = "libupnp_project"
    purl_type = "generic"
    cpe = "libupnp_project:libupnp"
    website = "https://pupnp.sourceforge.io"
    version_regex = "Portable SDK for UPnP devices/(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "libupnp (pupnp) server string"
  strings:
    $v = /Portable SDK for UPnP devices\/[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}

rule bluez {
  meta:
    name = "bluez"
    vendor = "bluez"
    purl_type = "generic"
    cpe = "bluez:bluez"
    website = "http://www.bluez.org"
    version_regex = "Bluetooth daemon (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "BlueZ daemon version"
  strings:
    $v = /Bluetooth daemon [0-9]+\.[0-9]+/
  condition:
    any of them
}

rule iproute2 {
  meta:
    name = "iproute2"
    vendor = "iproute2_project"
    purl_type = "generic"
    cpe = "iproute2_project:iproute2"
    website = "https://wiki.linuxfoundation.org/networking/iproute2"
    version_regex = "iproute2[-_ ](?:ss)?v?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "iproute2 version string"
  strings:
    $v = /iproute2[-_ ](ss[0-9]{6}|v?[0-9]+(\.[0-9]+)+)/
  condition:
    any of them
}

rule xl2tpd {
  meta:
    name = "xl2tpd"
    vendor = "xelerance"
    purl_type = "generic"
    cpe = "xelerance:xl2tpd"
    website = "https://www.xelerance.com/software/xl2tpd/"
    version_regex = "xl2tpd-(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "xl2tpd L2TP daemon (its version banner)"
  strings:
    $v = /xl2tpd version:? +(%s|xl2tpd-[0-9]+(\.[0-9]+)+)/
    $b = /xl2tpd-[0-9]+(\.[0-9]+)+/
  condition:
    $v and $b
}

rule ebtables {
  meta:
    name = "ebtables"
    vendor = "netfilter"
    purl_type = "generic"
    cpe = "netfilter:ebtables"
    website = "https://ebtables.netfilter.org"
    version_regex = "ebtables v(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "ebtables version string"
  strings:
    $v = /ebtables v[0-9]+(\.[0-9]+)+/
  condition:
    any of them
}
