//! The global scope the page or worker runs in: where `fetch` and the timers are.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{AbortController, RequestInit, Window, WorkerGlobalScope};

use crate::Error;

/// A window (a page) or a worker: both have `fetch`, `setTimeout` and `clearTimeout`.
#[derive(Clone, Debug)]
pub(crate) enum Scope {
    Window(Window),
    Worker(WorkerGlobalScope),
}

impl Scope {
    /// The scope this code runs in.
    pub(crate) fn current() -> Result<Self, Error> {
        let global = js_sys::global();
        if let Some(window) = global.dyn_ref::<Window>() {
            return Ok(Self::Window(window.clone()));
        }
        match global.dyn_into::<WorkerGlobalScope>() {
            Ok(worker) => Ok(Self::Worker(worker)),
            Err(_) => Err(Error::ClientSetup {
                reason: "no window or worker scope with fetch (not running in a browser)",
            }),
        }
    }

    pub(crate) fn fetch(&self, url: &str, init: &RequestInit) -> js_sys::Promise {
        match self {
            Self::Window(w) => w.fetch_with_str_and_init(url, init),
            Self::Worker(w) => w.fetch_with_str_and_init(url, init),
        }
    }
}

/// `controller.abort()` after `millis`, through `setTimeout`; cleared when dropped, so a
/// finished request is never aborted late.
pub(crate) struct AbortTimer {
    scope: Scope,
    handle: i32,
    // Kept alive until the timer is cleared: the browser calls into it.
    _callback: Closure<dyn FnMut()>,
}

impl AbortTimer {
    pub(crate) fn start(
        scope: &Scope,
        controller: &AbortController,
        millis: i32,
    ) -> Result<Self, Error> {
        let controller = controller.clone();
        let callback = Closure::<dyn FnMut()>::new(move || controller.abort());
        let function = callback.as_ref().unchecked_ref();
        let handle = match scope {
            Scope::Window(w) => {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(function, millis)
            }
            Scope::Worker(w) => {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(function, millis)
            }
        }
        .map_err(|_| Error::ClientSetup {
            reason: "setTimeout refused the request's timeout",
        })?;
        Ok(Self {
            scope: scope.clone(),
            handle,
            _callback: callback,
        })
    }
}

impl Drop for AbortTimer {
    fn drop(&mut self) {
        match &self.scope {
            Scope::Window(w) => w.clear_timeout_with_handle(self.handle),
            Scope::Worker(w) => w.clear_timeout_with_handle(self.handle),
        }
    }
}
