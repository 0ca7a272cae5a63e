-- Runs busted inside lector, so specs see the real `lector` module.
require "busted.runner" { standalone = false }
