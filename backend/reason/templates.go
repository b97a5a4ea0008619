package reason

// The sentences, by where a rider meets them. Declaring one adds it to All,
// and so to the window's catalogue, which then needs its German text.

// What a repaired FIT file had mended (fitfile.Repair.String): the parts
// are joined with Parts into {what}; {span} is one of the Span templates.
var (
	Repaired              = newT("repaired.what", "repaired: {what}")
	RepairedKept          = newT("repaired.kept", "repaired: {what}, {span} of records kept")
	RepairEndedEarly      = newT("repaired.endedEarly", "the file ended early")
	RepairBadTail         = newT("repaired.badTail", "its last {bytes} bytes were unreadable")
	RepairBadChecksum     = newT("repaired.badChecksum", "the file checksum was wrong")
	RepairBadHeader       = newT("repaired.badHeaderChecksum", "the header checksum was wrong")
	RepairDroppedPart     = newT("repaired.droppedPart", "a damaged chained part was left out")
	RepairDroppedParts    = newT("repaired.droppedParts", "{n} damaged chained parts were left out")
	RepairRebuiltSummary  = newT("repaired.rebuiltSummary", "the missing session was rebuilt from the records")
	SpanSeconds           = newT("span.seconds", "{n} seconds")
	SpanMinutes           = newT("span.minutes", "{n} minutes")
	SpanHoursMinutes      = newT("span.hoursMinutes", "{h} h {mm} min")
	NotActivityFile       = newT("file.notActivityFile", "not a FIT, TCX or GPX file")
	NotAnActivity         = newT("file.notAnActivity", "a {kind} file, not an activity")
	CachedFileMissing     = newT("file.cachedMissing", "cached file missing")
	RetryAsked            = newT("state.retryAsked", "retry asked")
	SameFileAlready       = newT("match.sameFile", "the same file is already in Intervals.icu (from {source})")
	KeptOutUndone         = newT("keptOut.undone", "kept out: you undid its upload")
	KeptOutChosen         = newT("keptOut.chosen", "kept out: you chose to keep it out of Intervals.icu")
	EnteredByHandOnStrava = newT("import.enteredByHand", "entered by hand on Strava: there is no file to bring over")
	NotInExport           = newT("import.notInExport", "activities.csv lists this file, but the export does not hold it")
)

// Why a file cannot be read (fitfile's unreadable reasons a rider meets most).
var (
	EmptyFile           = newT("file.empty", "empty file")
	FileEndsEarly       = newT("file.endsEarly", "file ends {bytes} bytes early")
	NotFITFile          = newT("file.notFit", "not a FIT file")
	NoFITSignature      = newT("file.noFitSignature", "not a FIT file: no \".FIT\" signature")
	EndsInsideHeader    = newT("file.endsInsideHeader", "the file ends inside the FIT header")
	NoWholeMessage      = newT("file.noWholeMessage", "no whole message follows the header")
	NoWholeRecord       = newT("file.noWholeRecord", "no whole record comes before the damage")
	HeaderChecksumWrong = newT("file.headerChecksum", "header checksum mismatch (stored {stored}, computed {computed})")
	FileChecksumWrong   = newT("file.fileChecksum", "file checksum mismatch (stored {stored}, computed {computed})")
	ArchiveInArchive    = newT("file.archiveInArchive", "not a FIT, TCX or GPX file: an archive inside an archive")
	XMLDocument         = newT("file.xmlDocument", "not a FIT, TCX or GPX file: XML document <{element}>")
	XMLWithoutElement   = newT("file.xmlWithoutElement", "not a FIT, TCX or GPX file: XML without any element")
	NotWellFormed       = newT("file.notWellFormed", "not a well-formed {format} file: {detail}")
	EndsInHeaderBytes   = newT("file.endsInHeaderBytes", "file ends inside the FIT header ({n} of 12 or more bytes)")
	BadHeaderSize       = newT("file.badHeaderSize", "bad FIT header size {n}")
	HeaderDeclaresNone  = newT("file.headerDeclaresNone", "FIT header declares no data")
	ZipHoldsNone        = newT("file.zipHoldsNone", "zip holds no FIT, TCX or GPX file")
	TooLarge            = newT("file.tooLarge", "the file is larger than {size}: not an activity file")
	TooLargeUnpacked    = newT("file.tooLargeUnpacked", "unpacked, the file is larger than {size}: not an activity file")
	ImportStopped       = newT("import.stopped", "the import of this {export} stopped: {error}")
	StravaExport        = newT("import.stravaExport", "Strava export")
	GarminExport        = newT("import.garminExport", "Garmin export")
	AnExport            = newT("import.export", "export")
)

// Why Intervals.icu probably or surely has an activity already (package
// match). {from} is From's text or empty; {apart} is SameTime or Apart.
var (
	AlreadySameExternalID = newT("match.sameExternalID", "already in Intervals.icu{from} (same external id {id})")
	AlreadyStarted        = newT("match.started", "already in Intervals.icu{from} (started {apart})")
	ProbableDiffers       = newT("match.differs", "Intervals.icu has an activity{from} that started {apart} but {why}: check before uploading")
	AlreadyStrava         = newT("match.stravaDuplicate", "already in Intervals.icu{from} (started {apart}; Strava hides the details, so only the start was compared)")
	ProbableStrava        = newT("match.stravaProbable", "probably already in Intervals.icu{from} (started {apart}); Strava hides the details, so check it")
	ProbableZoneLater     = newT("match.zoneLater", "Intervals.icu has an activity{from} that started exactly {apart} later with the same minutes and seconds: maybe a time-zone mix-up, check it")
	ProbableZoneEarlier   = newT("match.zoneEarlier", "Intervals.icu has an activity{from} that started exactly {apart} earlier with the same minutes and seconds: maybe a time-zone mix-up, check it")
	SomeParts             = newT("match.someParts", "{n} of {total} parts: {reason}")
	From                  = newT("match.from", " from {via}")
	SameTime              = newT("match.sameTime", "at the same time")
	Apart                 = newT("match.apart", "{duration} apart")
	LastedInstead         = newT("match.lasted", "lasted {theirs} instead of {ours}")
	DurationUnknown       = newT("match.durationUnknown", "its duration is unknown")
	CoveredInstead        = newT("match.covered", "covered {theirs} km instead of {ours} km")
	ViaOtherApp           = newT("via.otherApp", "another app")
	ViaFileUpload         = newT("via.fileUpload", "a file upload")
	ViaManualEntry        = newT("via.manualEntry", "a manual entry")
)

// Why a platform or folder gives no file for an activity. The platform is a
// placeholder: the window names platforms only through their descriptors.
var (
	PlatformNoFITFile      = newT("platform.noFitFile", "{platform} has no FIT file for this ride")
	PlatformFileGone       = newT("platform.fileGone", "{platform}'s storage no longer has this ride's FIT file")
	PlatformManualEntry    = newT("platform.manualEntry", "no file on {platform} (manual entry)")
	PlatformDeleted        = newT("platform.deleted", "deleted on {platform}")
	PlatformMergedOnly     = newT("platform.mergedOnly", "{platform} holds only its merged file (auto_merged), not the original device file")
	PlatformRefusedFile    = newT("platform.refusedFile", "{platform} refused the file download (403): this account type may not allow file downloads ({plan} may be required)")
	PlatformRefusedDetails = newT("platform.refusedDetails", "{platform} refused this workout's details (403): this account may not be allowed to read it")
	PlatformUnknownFormats = newT("platform.unknownFormats", "unsupported format on {platform} (only {formats}, which Intervals.icu cannot read)")
	PlatformKeepsNoFile    = newT("platform.keepsNoFile", "{platform} keeps no file for this ride")
	FolderNoPath           = newT("folder.noPath", "no file path recorded for this activity")
	FolderFileChanged      = newT("folder.changed", "file changed since it was listed")
	FolderFileGone         = newT("folder.gone", "file no longer in the folder")
	AddedGoneNoFolder      = newT("added.goneNoFolder", "FitBridge's copy of this added file is gone and it was not added from a folder: add it again")
	AddedGoneBecause       = newT("added.goneBecause", "FitBridge's copy of this added file is gone and {why}: add it again")
	AddedGoneFrom          = newT("added.goneFrom", "FitBridge's copy of this added file is gone and {path} is no longer there: add it again")
	AddedChanged           = newT("added.changed", "{path} has changed since it was added: add it again")
)

// Why a planned workout was not delivered, or was taken away, at a place the
// rider rides (package workouts and the platforms' workout targets).
var (
	WorkoutNoSteps        = newT("workout.noSteps", "this workout has neither steps nor a length in Intervals.icu: give it steps in the workout builder there")
	WorkoutWouldBeRemoved = newT("workout.wouldBeRemoved", "would be removed: {why}")
	WorkoutLeftPlan       = newT("workout.leftPlan", "deleted from the plan")
	WorkoutPast           = newT("workout.past", "past")
	WorkoutCannotDelete   = newT("workout.cannotDelete", "{why}, but FitBridge cannot delete workouts in {platform}: delete it there yourself")
	WorkoutNoFolderYet    = newT("workout.noFolderYet", "{platform} has no workouts folder for your account on this computer yet: start {app} once, open Custom Workouts, then try again")
	WorkoutNotTaken       = newT("workout.notTaken", "{platform} cannot take planned workouts from FitBridge yet: it keeps custom workouts in its own workout builder, and offers no import that other programs can use. Build them in {app}'s workout builder for now.")
	WorkoutNothingToRide  = newT("workout.nothingToRide", "workout {name} has no steps a bike computer can ride")
	WorkoutNoTimedSteps   = newT("workout.noTimedSteps", "workout {name} has no timed steps")
	WorkoutNotListed      = newT("workout.notListed", "{platform} took workout {name} (id {id}) but does not list it, so the bike computer would not get it")
)

// What changed in a workout to fit a place that cannot take it as planned
// (plan.Adapt): shown beside the workout in the calendar.
var (
	ChangeFreeRide      = newT("change.freeRide", "no steps in Intervals.icu: a free ride of {duration}")
	ChangeUnreadTarget  = newT("change.unreadTarget", "{target} could not be read as a target and became a cue")
	ChangeDistanceStep  = newT("change.distanceStep", "{distance} step became {duration} (at an easy {speed})")
	ChangeLapPress      = newT("change.lapPress", "a step that ends on a lap press became {duration}")
	ChangeHRDropped     = newT("change.hrDropped", "heart-rate targets were dropped where the step also has a power target")
	ChangeHRFreeRide    = newT("change.hrFreeRide", "heart-rate targets became free riding with the target as a cue ({cue})")
	ChangePaceCue       = newT("change.paceCue", "pace targets became a cue ({cue})")
	ChangeCadenceCue    = newT("change.cadenceCue", "cadence targets became a cue ({cue})")
	ChangeCadenceMiddle = newT("change.cadenceMiddle", "cadence {from} became {to}")
	ChangeNoCues        = newT("change.noCues", "cues cannot be shown there, so {cues}")
	ChangeNoLabels      = newT("change.noLabels", "step labels cannot be shown there")
	ChangeNoPower       = newT("change.noPower", "power targets cannot be set there")
	ChangePowerNoFTP    = newT("change.powerNoFtp", "power {target} could not be converted without an FTP in Intervals.icu")
	ChangeRampRanges    = newT("change.rampRanges", "ramps became steady ranges ({target})")
	ChangeRampMiddle    = newT("change.rampMiddle", "ramps became steady steps at their middle ({from} became {to})")
	ChangePowerMiddle   = newT("change.powerMiddle", "power ranges became their middle ({from} became {to})")
)

// Why a platform refused a sign-in or needs one again (beside the sign-in
// forms and in the notices). {message} is the service's own words, kept.
var (
	SignInNotAccepted      = newT("signIn.notAccepted", "{platform} did not accept this sign-in: {advice}")
	SignInAgainOrToken     = newT("signIn.againOrToken", "sign in again or paste a fresh token")
	SignInRefusedRegion    = newT("signIn.refusedRegion", "{platform} did not accept the sign-in: {message}. International and China accounts are separate: if the account was made in the other app, choose {region}")
	SignInRegionIntl       = newT("signIn.regionIntl", "{platform} refused this sign-in, but {other} accepts it: this looks like an International account. Connect {app} again and choose International")
	SignInRegionChina      = newT("signIn.regionChina", "{platform} refused this sign-in, but {other} accepts it: this looks like a China account. Connect {app} again and choose China")
	SignInAskedAgain       = newT("signIn.askedAgain", "the {platform} web app asked to sign in again: {error}")
	SignInNeeded           = newT("signIn.needed", "needs sign-in")
	SignInAgain            = newT("signIn.again", "{platform} needs you to sign in again")
	SignInAgainKept        = newT("signIn.againKept", "{platform} needs you to sign in again (nothing was lost)")
	SignInAgainKeptMany    = newT("signIn.againKeptMany", "{platforms} need you to sign in again (nothing was lost)")
	SignInRefused          = newT("signIn.refused", "{platform} refused the sign-in")
	SignInRefusedSaying    = newT("signIn.refusedSaying", "{platform} refused the sign-in: {message}")
	SignInExpiredOn        = newT("signIn.expiredOn", "the {platform} sign-in expired on {date}: {error}")
	SignInNoPage           = newT("signIn.noPage", "{platform} has no sign-in page FitBridge can use: paste a token instead")
	SignInNoPassword       = newT("signIn.noPassword", "{platform} has no password sign-in: use the browser sign-in or paste a token")
	SignInBothNeeded       = newT("signIn.bothNeeded", "enter both the email (or user name) and the password")
	SignInNoTokenPasted    = newT("signIn.noTokenPasted", "the pasted text holds no token")
	SignInAgainBeforeCount = newT("signIn.againBeforeCount", "{platform} needs you to sign in again before FitBridge can count what it holds.")
)
