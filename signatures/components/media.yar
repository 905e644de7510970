// Audio/video stacks common in cameras.

rule ffmpeg {
  meta:
    name = "ffmpeg"
    vendor = "ffmpeg"
    purl_type = "generic"
    cpe = "ffmpeg:ffmpeg"
    website = "https://ffmpeg.org"
    version_regex = "(?:FFmpeg version |Lavc|Lavf)(\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "FFmpeg / libav version strings"
  strings:
    $v = /FFmpeg version [0-9n]+(\.[0-9]+)+/
    $lavc = /Lavc[0-9]+\.[0-9]+\.[0-9]+/
    $lavf = /Lavf[0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule live555 {
  meta:
    name = "live555"
    vendor = "live555"
    purl_type = "generic"
    cpe = "live555:streaming_media"
    website = "http://www.live555.com"
    version_regex = "LIVE555 Streaming Media v(\\d+(?:\\.\\d+)+)"
    confidence = 90
    description = "live555 RTSP server string"
  strings:
    $v = /LIVE555 Streaming Media v[0-9]{4}\.[0-9]{2}\.[0-9]{2}/
  condition:
    any of them
}

rule gstreamer {
  meta:
    name = "gstreamer"
    vendor = "gstreamer_project"
    purl_type = "generic"
    cpe = "gstreamer_project:gstreamer"
    website = "https://gstreamer.freedesktop.org"
    version_regex = "GStreamer (\\d+(?:\\.\\d+)+)"
    confidence = 80
    description = "GStreamer version string"
  strings:
    $v = /GStreamer [0-9]+\.[0-9]+\.[0-9]+/
  condition:
    any of them
}

rule x264 {
  meta:
    name = "x264"
    vendor = "videolan"
    purl_type = "generic"
    cpe = "videolan:x264"
    website = "https://www.videolan.org/developers/x264.html"
    version_regex = "x264 - core (\\d+)"
    confidence = 70
    description = "x264 encoder banner"
  strings:
    $v = /x264 - core [0-9]+/
  condition:
    any of them
}
