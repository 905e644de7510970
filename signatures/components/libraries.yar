// General-purpose libraries found in firmware.

rule curl {
  meta:
    name = "curl"
    vendor = "haxx"
    purl_type = "generic"
    cpe = "haxx:curl"
    website = "https://curl.se"
    version_regex = "(?:lib)?curl[ /](\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "curl/libcurl version strings"
  strings:
    $tool = /curl [0-9]+\.[0-9]+\.[0-9]+(-DEV)? \(/
    $lib = /libcurl\/[0-9]+\.[0-9]+\.[0-9]+/
    $ua = /CLIENT libcurl [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule zlib {
  meta:
    name = "zlib"
    vendor = "zlib"
    purl_type = "generic"
    cpe = "zlib:zlib"
    website = "https://zlib.net"
    version_regex = "(?:deflate|inflate) (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "zlib copyright banners"
  strings:
    $v = /(de|in)flate [0-9]+\.[0-9]+(\.[0-9]+)* Copyright [0-9]{4}-[0-9]{4} /
  condition:
    any of them
}

rule sqlite {
  meta:
    name = "sqlite"
    vendor = "sqlite"
    purl_type = "generic"
    cpe = "sqlite:sqlite"
    website = "https://www.sqlite.org"
    version_regex = "^(\\d+\\.\\d+\\.\\d+(?:\\.\\d+)?)"
    confidence = 75
    description = "SQLite version next to its source id date"
  strings:
    $v = /[0-9]\.[0-9]+\.[0-9]+(\.[0-9]+)?\x00{1,8}20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8} [0-9a-f]{40}/
  condition:
    any of them
}

rule json_c {
  meta:
    name = "json-c"
    vendor = "json-c_project"
    purl_type = "generic"
    cpe = "json-c_project:json-c"
    website = "https://github.com/json-c/json-c"
    version_regex = "json-c[/ -]?v?(\\d+(?:\\.\\d+)+)"
    confidence = 60
    description = "json-c library"
  strings:
    $v = /json-c[\/ ]v?[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule lua {
  meta:
    name = "lua"
    vendor = "lua"
    purl_type = "generic"
    cpe = "lua:lua"
    website = "https://www.lua.org"
    version_regex = "Lua (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Lua version banner"
  strings:
    $v = /Lua [0-9]+\.[0-9]+(\.[0-9]+)?  Copyright \(C\)/
  condition:
    any of them
}

rule libpng {
  meta:
    name = "libpng"
    vendor = "libpng"
    purl_type = "generic"
    cpe = "libpng:libpng"
    website = "http://www.libpng.org"
    version_regex = "libpng version (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "libpng version banner"
  strings:
    $v = /libpng version [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule libjpeg {
  meta:
    name = "libjpeg"
    vendor = "ijg"
    purl_type = "generic"
    cpe = "ijg:libjpeg"
    website = "https://ijg.org"
    version_regex = "(?:libjpeg-turbo version |LIBJPEG.* )?(\\d+(?:\\.\\d+)+[a-z]?)"
    confidence = 60
    description = "libjpeg / libjpeg-turbo banners"
  strings:
    $ijg = /Copyright \(C\) [0-9]{4}, Thomas G\. Lane/
    $turbo = /libjpeg-turbo version [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule dbus {
  meta:
    name = "dbus"
    vendor = "freedesktop"
    purl_type = "generic"
    cpe = "freedesktop:dbus"
    website = "https://www.freedesktop.org/wiki/Software/dbus/"
    version_regex = "D-Bus (?:Message Bus Daemon )?(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "D-Bus daemon version"
  strings:
    $v = /D-Bus Message Bus Daemon [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule mosquitto {
  meta:
    name = "mosquitto"
    vendor = "eclipse"
    purl_type = "generic"
    cpe = "eclipse:mosquitto"
    website = "https://mosquitto.org"
    version_regex = "(?:mosquitto version |^)(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Mosquitto version (broker banner or next to the client usage text)"
  strings:
    $broker = /mosquitto version [0-9]+\.[0-9]+\.[0-9]+/
    $client = /[0-9]+\.[0-9]+\.[0-9]+\x00{1,8}Usage: mosquitto_(pub|sub)/
  condition:
    any of them
}

rule paho_mqtt {
  meta:
    name = "paho-mqtt-c"
    vendor = "eclipse"
    purl_type = "generic"
    cpe = "eclipse:paho_mqtt_c_client"
    website = "https://eclipse.dev/paho/"
    version_regex = "Paho (?:MQTT )?[^\\x00]{0,30}?(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "Eclipse Paho MQTT C client"
  strings:
    $v = /(MQTTClient_|MQTTAsync_)version_info/
    $p = /Eclipse Paho Synchronous MQTT C Client Library|Eclipse Paho Asynchronous MQTT C Client Library/
  condition:
    any of them
}

rule expat {
  meta:
    name = "expat"
    vendor = "libexpat_project"
    purl_type = "generic"
    cpe = "libexpat_project:libexpat"
    website = "https://libexpat.github.io"
    version_regex = "expat_(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Expat version string"
  strings:
    $v = /expat_[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule pcre {
  meta:
    name = "pcre"
    vendor = "pcre"
    purl_type = "generic"
    cpe = "pcre:pcre"
    website = "https://www.pcre.org"
    version_regex = "(\\d+\\.\\d+) 20\\d\\d-\\d\\d-\\d\\d"
    confidence = 70
    description = "PCRE version and date"
  strings:
    $v = /[0-9]+\.[0-9]+ 20[0-9]{2}-[0-9]{2}-[0-9]{2}\x00[^\x00]{0,40}pcre/
  condition:
    any of them
}

rule ncurses {
  meta:
    name = "ncurses"
    vendor = "gnu"
    purl_type = "generic"
    cpe = "gnu:ncurses"
    website = "https://invisible-island.net/ncurses/"
    version_regex = "ncurses (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "ncurses version string"
  strings:
    $v = /ncurses [0-9]+\.[0-9]+\.[0-9]{8}/
  condition:
    any of them
}

rule libevent {
  meta:
    name = "libevent"
    vendor = "libevent_project"
    purl_type = "generic"
    cpe = "libevent_project:libevent"
    website = "https://libevent.org"
    version_regex = "(\\d+\\.\\d+\\.\\d+)-stable"
    confidence = 75
    description = "libevent version string"
  strings:
    $v = /[0-9]+\.[0-9]+\.[0-9]+-stable\x00/
  condition:
    any of them
}

