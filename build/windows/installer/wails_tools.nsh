# Helpers for project.nsi, in the layout Wails projects use
# (build/windows/installer/{project.nsi,wails_tools.nsh}), written for FitBridge:
# a per-user installation that needs no administrator rights.
#
# Defines given on the makensis command line (see the Makefile's dist-windows):
#   ARG_WAILS_AMD64_BINARY  the Windows binary to install
#   INFO_PRODUCTVERSION     FitBridge's version, e.g. 1.2.3 or 1.2.3-dev.4+g1a2b3c4
#   INFO_VERSIONQUAD        the same as four numbers for Windows, e.g. 1.2.3.0
#   ARG_OUTFILE             where the installer is written

!include "x64.nsh"
!include "WinVer.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

!ifndef INFO_PROJECTNAME
    !define INFO_PROJECTNAME "fitbridge"
!endif
!ifndef INFO_COMPANYNAME
    !define INFO_COMPANYNAME "FitBridge"
!endif
!ifndef INFO_PRODUCTNAME
    !define INFO_PRODUCTNAME "FitBridge"
!endif
!ifndef INFO_PRODUCTVERSION
    !define INFO_PRODUCTVERSION "0.0.0-dev"
!endif
!ifndef INFO_VERSIONQUAD
    !define INFO_VERSIONQUAD "0.0.0.0"
!endif
!ifndef INFO_COPYRIGHT
    !define INFO_COPYRIGHT "FitBridge"
!endif
!ifndef PRODUCT_EXECUTABLE
    !define PRODUCT_EXECUTABLE "${INFO_PROJECTNAME}.exe"
!endif
!ifndef UNINST_KEY_NAME
    !define UNINST_KEY_NAME "${INFO_COMPANYNAME}${INFO_PRODUCTNAME}"
!endif
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${UNINST_KEY_NAME}"

# Per user: the rider installs without an administrator's password, into
# their own profile, and the Start-menu entry is theirs.
!ifndef REQUEST_EXECUTION_LEVEL
    !define REQUEST_EXECUTION_LEVEL "user"
!endif
RequestExecutionLevel "${REQUEST_EXECUTION_LEVEL}"

!ifndef ARG_WAILS_AMD64_BINARY
    !error "Give the Windows binary: -DARG_WAILS_AMD64_BINARY=path\to\fitbridge.exe"
!endif
!define ARCH "amd64"

# Windows 10 or later on x64, as WebView2 and the binary need.
!macro wails.checkArchitecture
    ${IfNot} ${AtLeastWin10}
        MessageBox MB_OK "FitBridge needs Windows 10 or later."
        Quit
    ${EndIf}
    ${IfNot} ${IsNativeAMD64}
        MessageBox MB_OK "This FitBridge installer is for 64-bit (x64) Windows."
        Quit
    ${EndIf}
!macroend

!macro wails.setShellContext
    SetShellVarContext current
!macroend

!macro wails.files
    File "/oname=${PRODUCT_EXECUTABLE}" "${ARG_WAILS_AMD64_BINARY}"
!macroend

# WebView2 draws the window. It ships with Windows 11 and current Windows 10;
# where it is missing, Microsoft's small bootstrapper (the one Wails ships)
# installs it. Registry keys per Microsoft's WebView2 distribution guide.
!define WEBVIEW2_CLIENT "Microsoft\EdgeUpdate\Clients\{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!macro wails.webview2runtime
    SetRegView 64
    ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\${WEBVIEW2_CLIENT}" "pv"
    ${If} $0 == ""
    ${OrIf} $0 == "0.0.0.0"
        ReadRegStr $0 HKCU "Software\${WEBVIEW2_CLIENT}" "pv"
    ${EndIf}
    ${If} $0 == ""
    ${OrIf} $0 == "0.0.0.0"
        SetDetailsPrint both
        DetailPrint "Installing the WebView2 runtime"
        SetDetailsPrint listonly
        InitPluginsDir
        CreateDirectory "$PLUGINSDIR\webview2bootstrapper"
        SetOutPath "$PLUGINSDIR\webview2bootstrapper"
        File "tmp\MicrosoftEdgeWebview2Setup.exe"
        ExecWait '"$PLUGINSDIR\webview2bootstrapper\MicrosoftEdgeWebview2Setup.exe" /silent /install'
        SetDetailsPrint both
    ${EndIf}
!macroend

!macro wails.writeUninstaller
    WriteUninstaller "$INSTDIR\uninstall.exe"
    SetRegView 64
    WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${INFO_COMPANYNAME}"
    WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${INFO_PRODUCTNAME}"
    WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${INFO_PRODUCTVERSION}"
    WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${PRODUCT_EXECUTABLE}"
    WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
    WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
    WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
    WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
    ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
    IntFmt $0 "0x%08X" $0
    WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
!macroend

!macro wails.deleteUninstaller
    Delete "$INSTDIR\uninstall.exe"
    SetRegView 64
    DeleteRegKey HKCU "${UNINST_KEY}"
!macroend
