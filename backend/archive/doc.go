// Package archive reads a rider's export archives in place: Strava's bulk
// export (export_<n>.zip or its unpacked folder: activities.csv plus an
// activities/ folder of FIT, TCX and GPX files, gzipped or not) and Garmin's
// "Export your data" ZIP (the original uploads in nested ZIPs under
// DI_CONNECT/DI-Connect-Uploaded-Files/). An archive is recognised by its
// layout, never by its name.
//
// Nothing is unpacked to disk except, when it is too large for memory, one
// compressed nested ZIP at a time. Members are handed over one by one, so
// memory stays bounded by the largest activity file whatever the archive's
// size, and a member that cannot be read is reported without stopping the
// others.
package archive
