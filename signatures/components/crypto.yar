// Cryptographic and TLS libraries.

rule openssl {
  meta:
    name = "openssl"
    vendor = "openssl"
    purl_type = "generic"
    cpe = "openssl:openssl"
    website = "https://www.openssl.org"
    version_regex = "OpenSSL (\\d+\\.\\d+\\.\\d+[a-z]?)"
    confidence = 90
    description = "OpenSSL version text (OPENSSL_VERSION_TEXT)"
  strings:
    $v = /OpenSSL [0-9]+\.[0-9]+\.[0-9]+[a-z]?(-fips)? +[0-9]{1,2} [A-Z][a-z]{2} [0-9]{4}/
    $libre = "LibreSSL"
  condition:
    $v and not $libre
}

rule libressl {
  meta:
    name = "libressl"
    vendor = "openbsd"
    purl_type = "generic"
    cpe = "openbsd:libressl"
    website = "https://www.libressl.org"
    version_regex = "LibreSSL (\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "LibreSSL version text"
  strings:
    $v = /LibreSSL [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule wolfssl {
  meta:
    name = "wolfssl"
    vendor = "wolfssl"
    purl_type = "generic"
    cpe = "wolfssl:wolfssl"
    website = "https://www.wolfssl.com"
    version_regex = "(?:wolfSSL|CyaSSL)[ _v]{1,2}(\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "wolfSSL/CyaSSL version string"
  strings:
    $v = /(wolfSSL|CyaSSL)[ _v]{1,2}[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule mbedtls {
  meta:
    name = "mbedtls"
    vendor = "arm"
    purl_type = "generic"
    cpe = "arm:mbed_tls"
    website = "https://www.trustedfirmware.org/projects/mbed-tls/"
    version_regex = "(?:mbed TLS|PolarSSL) (\\d+(?:\\.\\d+)+)"
    confidence = 85
    description = "Mbed TLS / PolarSSL version string"
  strings:
    $v = /(mbed TLS|PolarSSL) [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule gnutls {
  meta:
    name = "gnutls"
    vendor = "gnu"
    purl_type = "generic"
    cpe = "gnu:gnutls"
    website = "https://www.gnutls.org"
    version_regex = "GnuTLS (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "GnuTLS version string"
  strings:
    $v = /GnuTLS [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule libgcrypt {
  meta:
    name = "libgcrypt"
    vendor = "gnupg"
    purl_type = "generic"
    cpe = "gnupg:libgcrypt"
    website = "https://gnupg.org/software/libgcrypt/"
    version_regex = "Libgcrypt (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "Libgcrypt version string"
  strings:
    $v = /Libgcrypt [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule axtls {
  meta:
    name = "axtls"
    vendor = "axtls_project"
    purl_type = "generic"
    cpe = "axtls_project:axtls"
    website = "https://axtls.sourceforge.net"
    version_regex = "axTLS (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "axTLS version string"
  strings:
    $v = /axTLS [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule matrixssl {
  meta:
    name = "matrixssl"
    vendor = "matrixssl"
    purl_type = "generic"
    cpe = "matrixssl:matrixssl"
    website = "https://github.com/matrixssl/matrixssl"
    version_regex = "MatrixSSL (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "MatrixSSL version string"
  strings:
    $v = /MatrixSSL [0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule nettle {
  meta:
    name = "nettle"
    vendor = "nettle_project"
    purl_type = "generic"
    cpe = "nettle_project:nettle"
    website = "https://www.lysator.liu.se/~nisse/nettle/"
    version_regex = "nettle-(\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "Nettle version string"
  strings:
    $v = /nettle-[0-9]+\.[0-9]+(\.[0-9]+)?/
  condition:
    any of them
}

rule libsodium {
  meta:
    name = "libsodium"
    vendor = "libsodium_project"
    purl_type = "generic"
    cpe = "libsodium_project:libsodium"
    website = "https://libsodium.org"
    version_regex = "libsodium[- ](\\d+(?:\\.\\d+)+)"
    confidence = 70
    description = "libsodium version string"
  strings:
    $v = /libsodium[- ][0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}
