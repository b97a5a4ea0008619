Unicode true

# FitBridge's Windows installer. Built on Linux or Windows by `make dist-windows`:
#   makensis -DARG_WAILS_AMD64_BINARY=... -DINFO_PRODUCTVERSION=... \
#            -DINFO_VERSIONQUAD=... -DARG_OUTFILE=... project.nsi
# It installs for the current user only (no administrator rights), adds a
# Start-menu entry, installs WebView2 when Windows lacks it, and registers an
# uninstaller that removes the program and leaves the rider's data folder
# (%AppData%\FitBridge: library, settings, logs) alone.

# Per user, also if `wails build -nsis` regenerates wails_tools.nsh.
!define REQUEST_EXECUTION_LEVEL "user"
!define WAILS_INSTALL_SCOPE "user"
!include "wails_tools.nsh"
!ifndef INFO_VERSIONQUAD
    !define INFO_VERSIONQUAD "${INFO_PRODUCTVERSION}.0"
!endif

VIProductVersion "${INFO_VERSIONQUAD}"
VIFileVersion    "${INFO_VERSIONQUAD}"
VIAddVersionKey "CompanyName"     "${INFO_COMPANYNAME}"
VIAddVersionKey "FileDescription" "${INFO_PRODUCTNAME} Installer"
VIAddVersionKey "ProductVersion"  "${INFO_PRODUCTVERSION}"
VIAddVersionKey "FileVersion"     "${INFO_PRODUCTVERSION}"
VIAddVersionKey "LegalCopyright"  "${INFO_COPYRIGHT}"
VIAddVersionKey "ProductName"     "${INFO_PRODUCTNAME}"

ManifestDPIAware true

!include "MUI2.nsh"

!define MUI_ICON "..\icon.ico"
!define MUI_UNICON "..\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${PRODUCT_EXECUTABLE}"
!define MUI_FINISHPAGE_RUN_TEXT "Open FitBridge"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

# Signing (scripts/sign-windows.sh, a no-op without the release's certificate):
# the app before this runs, the installer after, the uninstaller here.
!ifdef ARG_SIGN_SCRIPT
    !uninstfinalize '"${ARG_SIGN_SCRIPT}" "%1"'
!endif

Name "${INFO_PRODUCTNAME}"
!ifdef ARG_OUTFILE
    OutFile "${ARG_OUTFILE}"
!else
    OutFile "..\..\bin\${INFO_PROJECTNAME}-${ARCH}-installer.exe"
!endif
InstallDir "$LOCALAPPDATA\Programs\${INFO_PRODUCTNAME}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
ShowInstDetails show

Function .onInit
    !insertmacro wails.checkArchitecture
FunctionEnd

Section
    !insertmacro wails.setShellContext
    !insertmacro wails.webview2runtime
    SetOutPath $INSTDIR
    !insertmacro wails.files
    CreateShortcut "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk" "$INSTDIR\${PRODUCT_EXECUTABLE}"
    !insertmacro wails.writeUninstaller
SectionEnd

Section "uninstall"
    !insertmacro wails.setShellContext
    # Only what this installer put there. The rider's data folder
    # ($APPDATA\FitBridge) and keyring entries stay, so a reinstall finds
    # the library and sign-ins as they were.
    Delete "$INSTDIR\${PRODUCT_EXECUTABLE}"
    Delete "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk"
    !insertmacro wails.deleteUninstaller
    RMDir "$INSTDIR"
SectionEnd
