; Inno Setup script of SalesNexus Desktop: a per-user Windows installer over the PyInstaller
; onedir bundle in dist\snx-desktop\ (built by packaging\build.py).
;
; The version is never written here: packaging\build.py writes build\version.iss from
; pyproject.toml, or pass it on the command line:
;   python packaging\build.py
;   iscc installer.iss                                   (uses build\version.iss)
;   iscc /DAppVersion=X.Y.Z installer.iss                (explicit)
; The installer lands in dist\installer\.

#define AppName "SalesNexus Desktop"
#define AppPublisher "SalesNexus"
#define AppBaseName "snx-desktop"
#define AppExeName AppBaseName + ".exe"
#define BundleDir "dist\" + AppBaseName
; Never change AppId: Windows uses it to recognise upgrades and the uninstaller.
#define AppId "{{D7B4F6A5-DF02-4A82-B55C-9BFEB1E7F8DA}"
; The app's data folder: platformdirs.user_data_dir("snx-desktop", appauthor=False), which
; holds the offline store, cached documents and logs, under %LOCALAPPDATA%.
#define UserDataDirName "snx-desktop"
; Where QSettings keeps window layout and preferences (organisation\application name).
#define SettingsKey "Software\SalesNexus\SalesNexus Desktop"
; tel: links (caller lookup): the app's URL protocol class and its Default apps entry.
#define TelProgId "SalesNexusDesktop.tel"
#define CapabilitiesKey "Software\SalesNexus\SalesNexus Desktop Capabilities"

#ifndef AppVersion
  #if FileExists(AddBackslash(SourcePath) + "build\version.iss")
    #include "build\version.iss"
  #else
    #error AppVersion is not defined: run packaging\build.py first, or pass /DAppVersion=x.y.z
  #endif
#endif

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=dist\installer
OutputBaseFilename={#AppBaseName}-{#AppVersion}-setup
SetupIconFile=resources\snx-desktop.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; the bundle holds THIRD-PARTY-NOTICES.txt beside the program (written by packaging\build.py)
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{autoprograms}\{#AppName} third-party notices"; Filename: "{app}\THIRD-PARTY-NOTICES.txt"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Registry]
; tel: links open the app (snx-desktop.exe "tel:+1..."; a running app takes the number). The
; app is also listed in Settings > Default apps, where the rep can make it the tel: handler.
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: ""; ValueData: "URL:Telephone call"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\tel"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\tel\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExeName},0"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\tel\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#TelProgId}"; ValueType: string; ValueName: ""; ValueData: "URL:Telephone call"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#TelProgId}"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\{#TelProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExeName}"" ""%1"""
Root: HKA; Subkey: "{#CapabilitiesKey}"; ValueType: string; ValueName: "ApplicationName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "{#CapabilitiesKey}"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Finds the caller among your SalesNexus contacts"
Root: HKA; Subkey: "{#CapabilitiesKey}\URLAssociations"; ValueType: string; ValueName: "tel"; ValueData: "{#TelProgId}"
Root: HKA; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "{#AppName}"; ValueData: "{#CapabilitiesKey}"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent

[InstallDelete]
; An upgrade replaces the whole bundle: files a previous version had and this one has not
; (an old Qt plugin, say) must not be left next to the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Code]
{ After the program files are gone, offer to remove the user's offline data and settings.
  Silent uninstalls keep them (the default answer is No). }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\{#UserDataDirName}');
    if DirExists(DataDir) or RegKeyExists(HKCU, '{#SettingsKey}') then
    begin
      if SuppressibleMsgBox(
           'Also remove your offline data, cached documents and settings of {#AppName}?' + #13#10 + #13#10 +
           DataDir + #13#10 + #13#10 +
           'Changes that were not yet sent to the server will be lost.',
           mbConfirmation, MB_YESNO or MB_DEFBUTTON2, IDNO) = IDYES then
      begin
        if DirExists(DataDir) and not DelTree(DataDir, True, True, True) then
          Log('Could not remove ' + DataDir);
        RegDeleteKeyIncludingSubkeys(HKCU, '{#SettingsKey}');
        RegDeleteKeyIfEmpty(HKCU, 'Software\{#AppPublisher}');
      end;
    end;
  end;
end;
