/*
 * The JXA scripts the macOS driver runs with `osascript -l JavaScript -e
 * SCRIPT JSON`. Every value reaches a script as the JSON in argv[0], parsed
 * inside `run(argv)`; nothing the model writes is ever pasted into script
 * source. CoreGraphics through the ObjC bridge: CGEvent for input,
 * CGWindowList for windows, CGPreflightScreenCaptureAccess and AXIsProcessTrusted for permissions.
 */

export const PERMISSIONS_SCRIPT = `ObjC.import('CoreGraphics'); ObjC.import('ApplicationServices');
function run(argv) {
  return JSON.stringify({ screenRecording: !!$.CGPreflightScreenCaptureAccess(), accessibility: !!$.AXIsProcessTrusted() });
}`;

export const SCREEN_SIZE_SCRIPT = `ObjC.import('AppKit');
function run(argv) {
  var f = $.NSScreen.mainScreen.frame;
  return JSON.stringify({ width: f.size.width, height: f.size.height });
}`;

/** On-screen, normal-layer windows, front to back, as CGWindowListCopyWindowInfo gives them. */
export const WINDOWS_SCRIPT = `ObjC.import('CoreGraphics'); ObjC.import('AppKit');
function run(argv) {
  var list = ObjC.deepUnwrap($.CGWindowListCopyWindowInfo($.kCGWindowListOptionOnScreenOnly | $.kCGWindowListExcludeDesktopElements, $.kCGNullWindowID)) || [];
  var front = $.NSWorkspace.sharedWorkspace.frontmostApplication;
  var out = [];
  for (var i = 0; i < list.length; i++) {
    var w = list[i];
    if (w.kCGWindowLayer !== 0) continue;
    var b = w.kCGWindowBounds || {};
    out.push({ id: String(w.kCGWindowNumber), app: w.kCGWindowOwnerName || 'unknown', title: w.kCGWindowName || '',
      pid: w.kCGWindowOwnerPID, bounds: { x: b.X, y: b.Y, width: b.Width, height: b.Height } });
  }
  return JSON.stringify({ frontPid: front ? front.processIdentifier : -1, windows: out });
}`;

export const CURSOR_SCRIPT = `ObjC.import('CoreGraphics');
function run(argv) {
  var p = $.CGEventGetLocation($.CGEventCreate(null));
  return JSON.stringify({ x: Math.round(p.x), y: Math.round(p.y) });
}`;

/**
 * Mouse and keyboard through CGEvent. argv[0] is JSON:
 * { steps: [ { move: [x, y] } | { button: "left", state: "down"|"up", at: [x, y], clicks: n }
 *   | { drag: [x, y], button } | { scroll: [dx, dy] } | { key: code, down: bool, flags: n } | { text: "..." } | { sleep: ms } ] }
 * Text goes through System Events' keystroke, which types any character without a key-code table.
 */
export const INPUT_SCRIPT = `ObjC.import('CoreGraphics'); ObjC.import('Foundation');
function run(argv) {
  var a = JSON.parse(argv[0]);
  var B = { left: [$.kCGEventLeftMouseDown, $.kCGEventLeftMouseUp, $.kCGEventLeftMouseDragged, $.kCGMouseButtonLeft],
            right: [$.kCGEventRightMouseDown, $.kCGEventRightMouseUp, $.kCGEventRightMouseDragged, $.kCGMouseButtonRight],
            middle: [$.kCGEventOtherMouseDown, $.kCGEventOtherMouseUp, $.kCGEventOtherMouseDragged, $.kCGMouseButtonCenter] };
  function post(e) { $.CGEventPost($.kCGHIDEventTap, e); }
  for (var i = 0; i < a.steps.length; i++) {
    var s = a.steps[i];
    if (s.move) post($.CGEventCreateMouseEvent(null, $.kCGEventMouseMoved, $.CGPointMake(s.move[0], s.move[1]), 0));
    else if (s.button) {
      var e = $.CGEventCreateMouseEvent(null, B[s.button][s.state === 'down' ? 0 : 1], $.CGPointMake(s.at[0], s.at[1]), B[s.button][3]);
      $.CGEventSetIntegerValueField(e, $.kCGMouseEventClickState, s.clicks || 1);
      if (s.flags) $.CGEventSetFlags(e, s.flags);
      post(e);
    } else if (s.drag) post($.CGEventCreateMouseEvent(null, B[s.buttonName || 'left'][2], $.CGPointMake(s.drag[0], s.drag[1]), B[s.buttonName || 'left'][3]));
    else if (s.scroll) post($.CGEventCreateScrollWheelEvent(null, $.kCGScrollEventUnitLine, 2, s.scroll[1], s.scroll[0]));
    else if (s.key !== undefined) {
      var k = $.CGEventCreateKeyboardEvent(null, s.key, s.down);
      $.CGEventSetFlags(k, s.flags || 0);
      post(k);
    } else if (s.text !== undefined) {
      // System Events types the string as it is (a JS value, never AppleScript source); it needs Accessibility, like CGEvent.
      Application('System Events').keystroke(s.text);
    } else if (s.sleep) $.NSThread.sleepForTimeInterval(s.sleep / 1000);
  }
  return 'ok';
}`;
