Unicode true

####
## Parley's Windows installer. `wails build -nsis` runs makensis on this file
## (from this folder) after writing wails_tools.nsh next to it; build it with
## scripts/dist-windows, which also sets the version:
##
##   PARLEY_VERSION          the full version, e.g. 1.2.3 or 0.4.0+5.gabc1234
##   PARLEY_VERSION_WINDOWS  the four numbers Windows wants, e.g. 0.4.0.5
##
## Both are read from the environment when makensis runs, so no committed
## file changes from one release to the next.
##
## Per-machine install (admin, Program Files, HKLM), Wails' default: one copy
## for every account on the PC, kept out of reach of user-level programs, and
## the same scope the WebView2 bootstrapper installs the runtime in.
## `wails build -installscope user` still works: then everything goes under
## the user's profile and HKCU (SHELL_CONTEXT follows the scope).
####

!define PARLEY_VERSION "$%PARLEY_VERSION%"
!define PARLEY_VERSION_WINDOWS "$%PARLEY_VERSION_WINDOWS%"
# An unset variable stays as the literal "$%NAME%": refuse to build then.
!searchparse /noerrors "${PARLEY_VERSION}${PARLEY_VERSION_WINDOWS}" "$%" PARLEY_VERSION_UNSET
!ifdef PARLEY_VERSION_UNSET
  !error "PARLEY_VERSION and PARLEY_VERSION_WINDOWS are not set: build the installer with scripts/dist-windows VERSION OUTDIR"
!endif
!if "${PARLEY_VERSION}" == ""
  !error "PARLEY_VERSION is empty: build the installer with scripts/dist-windows VERSION OUTDIR"
!endif

# wails_tools.nsh only defines what is not defined yet.
!define INFO_PROJECTNAME    "parley"
!define INFO_COMPANYNAME    "Parley"
!define INFO_PRODUCTNAME    "Parley"
!define INFO_PRODUCTVERSION "${PARLEY_VERSION}"
!define INFO_COPYRIGHT      "Copyright © 2026 The Parley authors; MIT License"
!define PRODUCT_EXECUTABLE  "parley.exe"
!define UNINST_KEY_NAME     "Parley"
!define PROTOCOL            "parley"

!include "wails_tools.nsh"

VIProductVersion "${PARLEY_VERSION_WINDOWS}"
VIFileVersion    "${PARLEY_VERSION_WINDOWS}"
VIAddVersionKey "CompanyName"     "${INFO_COMPANYNAME}"
VIAddVersionKey "FileDescription" "${INFO_PRODUCTNAME} Installer"
VIAddVersionKey "ProductVersion"  "${PARLEY_VERSION}"
VIAddVersionKey "FileVersion"     "${PARLEY_VERSION_WINDOWS}"
VIAddVersionKey "LegalCopyright"  "${INFO_COPYRIGHT}"
VIAddVersionKey "ProductName"     "${INFO_PRODUCTNAME}"
VIAddVersionKey "Comments"        "Group chat with no server"

ManifestDPIAware true

# zlib, NSIS's default, said out loud: test/dist/windows.sh reads the
# compiled script back out of the installer with Go's standard library,
# which inflates zlib but has no LZMA. `/SOLID lzma` would make the
# installer 12.3 MB instead of 15.7 MB, and makensis 24 s instead of 8 s.
SetCompressor zlib

!include "MUI.nsh"

# icon.ico is made from build/appicon.png by the build.
!define MUI_ICON "..\icon.ico"
!define MUI_UNICON "..\icon.ico"
!define MUI_ABORTWARNING

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Name "${INFO_PRODUCTNAME}"
# Lands in build/bin; scripts/dist-windows moves it to its output folder.
OutFile "..\..\bin\parley-${PARLEY_VERSION}-windows-${ARCH}-installer.exe"
!if "${REQUEST_EXECUTION_LEVEL}" == "user"
  InstallDir "$LOCALAPPDATA\Programs\${INFO_PRODUCTNAME}"
  InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
!else
  InstallDir "$PROGRAMFILES64\${INFO_PRODUCTNAME}"
  InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
!endif
ShowInstDetails show
ShowUninstDetails show

Function .onInit
  !insertmacro wails.checkArchitecture
FunctionEnd

# The open command quotes the program's path: unquoted, Windows would try
# to run "C:\Program" for a link opened from "C:\Program Files\...".
!define PROTOCOL_COMMAND '"$INSTDIR\${PRODUCT_EXECUTABLE}" "%1"'

Section "Parley"
  !insertmacro wails.setShellContext

  # The runtime Parley's window needs. When it is missing, the Microsoft
  # bootstrapper carried in this installer (1.8 MB) downloads and installs it.
  !insertmacro wails.webview2runtime

  SetOutPath $INSTDIR
  !insertmacro wails.files

  CreateShortcut "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk" "$INSTDIR\${PRODUCT_EXECUTABLE}"

  # parley:// links (invites) open Parley. Software\Classes is shared by
  # 32- and 64-bit programs, but say 64 as the rest of the install does.
  SetRegView 64
  DeleteRegKey SHELL_CONTEXT "Software\Classes\${PROTOCOL}"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${PROTOCOL}" "" "URL:Parley invite link"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${PROTOCOL}" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\${PROTOCOL}\DefaultIcon" "" '"$INSTDIR\${PRODUCT_EXECUTABLE}",0'
  WriteRegStr SHELL_CONTEXT "Software\Classes\${PROTOCOL}\shell\open\command" "" '${PROTOCOL_COMMAND}'

  # Add/Remove Programs: publisher, name, DisplayVersion (the full
  # version), icon, size and the uninstaller.
  !insertmacro wails.writeUninstaller
  !if "${REQUEST_EXECUTION_LEVEL}" == "user"
    WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  !else
    WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  !endif
SectionEnd

Section "uninstall"
  !insertmacro wails.setShellContext

  # The program only. Chats, keys and settings stay in the user's profile
  # (%AppData%\Parley): removing the program must not delete an identity.
  Delete "$INSTDIR\${PRODUCT_EXECUTABLE}"
  Delete "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk"

  # Drop the link handler only while it is still ours: another copy of
  # Parley installed since may have taken it over.
  SetRegView 64
  ReadRegStr $0 SHELL_CONTEXT "Software\Classes\${PROTOCOL}\shell\open\command" ""
  ${If} $0 == '${PROTOCOL_COMMAND}'
    DeleteRegKey SHELL_CONTEXT "Software\Classes\${PROTOCOL}"
  ${EndIf}

  !insertmacro wails.deleteUninstaller
  # Only if empty: never a folder the user chose that holds other files.
  RMDir "$INSTDIR"
SectionEnd
