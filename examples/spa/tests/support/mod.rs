//! The browser test's parts: the app's static files served over loopback, and Chromium
//! driven through chromedriver (WebDriver).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub(crate) mod static_files;
pub(crate) mod webdriver;
