// Deliberately incomplete: proves the meta schema check bites.
rule no_version_regex {
  meta:
    name = "example"
    vendor = "example"
  strings:
    $a = "example banner"
  condition:
    $a
}
