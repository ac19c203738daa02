// Package pulumisource reads a stack's settings from the config of the
// running Pulumi program, as a stackconfig.Source.
//
// It is the one place where stack settings meet the Pulumi SDK: package
// stackconfig parses and validates them with no SDK in its imports, which
// keeps its tests and its fuzz target small to build.
package pulumisource
