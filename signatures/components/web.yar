// Embedded web servers.

rule lighttpd {
  meta:
    name = "lighttpd"
    vendor = "lighttpd"
    purl_type = "generic"
    cpe = "lighttpd:lighttpd"
    website = "https://www.lighttpd.net"
    version_regex = "lighttpd/(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "lighttpd server string"
  strings:
    $v = /lighttpd\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule boa {
  meta:
    name = "boa"
    vendor = "boa"
    purl_type = "generic"
    cpe = "boa:boa_web_server"
    website = "http://www.boa.org"
    version_regex = "Boa/(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Boa server string"
  strings:
    $v = /Boa\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule goahead {
  meta:
    name = "goahead"
    vendor = "embedthis"
    purl_type = "generic"
    cpe = "embedthis:goahead"
    website = "https://www.embedthis.com/goahead/"
    version_regex = "GoAhead[- /](?:Webs|WebServer)?/?(\\d+(?:\\.\\d+)+)?"
    confidence = 80
    description = "GoAhead web server string"
  strings:
    $v = /GoAhead-Webs(\/[0-9]+(\.[0-9]+)+)?/
    $w = /GoAhead\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule mini_httpd {
  meta:
    name = "mini_httpd"
    vendor = "acme"
    purl_type = "generic"
    cpe = "acme:mini_httpd"
    website = "https://acme.com/software/mini_httpd/"
    version_regex = "mini_httpd/(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "mini_httpd server string"
  strings:
    $v = /mini_httpd\/[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule micro_httpd {
  meta:
    name = "micro_httpd"
    vendor = "acme"
    purl_type = "generic"
    cpe = "acme:micro_httpd"
    website = "https://acme.com/software/micro_httpd/"
    version_regex = "micro_httpd(?:/(\\d+(?:\\.\\d+)+))?"
    confidence = 70
    description = "micro_httpd server string"
  strings:
    $v = "micro_httpd"
  condition:
    any of them
}

rule thttpd {
  meta:
    name = "thttpd"
    vendor = "acme"
    purl_type = "generic"
    cpe = "acme:thttpd"
    website = "https://acme.com/software/thttpd/"
    version_regex = "thttpd/(\\d+(?:\\.\\d+)+[a-z]?)"
    confidence = 85
    description = "thttpd server string"
  strings:
    $v = /thttpd\/[0-9]+\.[0-9]+[a-z]?/
  condition:
    any of them
}

rule uhttpd {
  meta:
    name = "uhttpd"
    vendor = "openwrt"
    purl_type = "generic"
    cpe = "openwrt:uhttpd"
    website = "https://openwrt.org/docs/guide-user/services/webserver/uhttpd"
    version_regex = "uhttpd[ /]v?(\\d+(?:\\.\\d+)+)"
    confidence = 60
    description = "OpenWrt uhttpd strings"
  strings:
    $u = /uhttpd[ \/]v?[0-9]+(\.[0-9]+)+/
    $usage = "Usage: uhttpd -p [addr:]port"
  condition:
    any of them
}

rule nginx {
  meta:
    name = "nginx"
    vendor = "f5"
    purl_type = "generic"
    cpe = "f5:nginx"
    website = "https://nginx.org"
    version_regex = "nginx/(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "nginx server string"
  strings:
    $v = /nginx\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule apache_httpd {
  meta:
    name = "apache-httpd"
    vendor = "apache"
    purl_type = "generic"
    cpe = "apache:http_server"
    website = "https://httpd.apache.org"
    version_regex = "Apache/(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Apache httpd server string"
  strings:
    $v = /Apache\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule civetweb {
  meta:
    name = "civetweb"
    vendor = "civetweb_project"
    purl_type = "generic"
    cpe = "civetweb_project:civetweb"
    website = "https://github.com/civetweb/civetweb"
    version_regex = "CivetWeb v?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "CivetWeb version string"
  strings:
    $v = /CivetWeb v?[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule mongoose {
  meta:
    name = "mongoose"
    vendor = "cesanta"
    purl_type = "generic"
    cpe = "cesanta:mongoose"
    website = "https://mongoose.ws"
    version_regex = "Mongoose(?:/| v\\.?)(\\d+(?:\\.\\d+)+)"
    confidence = 75
    description = "Mongoose embedded web server"
  strings:
    $v = /Mongoose(\/| v\.?)[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule appweb {
  meta:
    name = "appweb"
    vendor = "embedthis"
    purl_type = "generic"
    cpe = "embedthis:appweb"
    website = "https://www.embedthis.com/appweb/"
    version_regex = "Embedthis-(?:Appweb|http)/(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Appweb server string"
  strings:
    $v = /Embedthis-(Appweb|http)\/[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}
