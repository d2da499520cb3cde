//! Opaque handles. Each C handle type is an empty marker struct; the memory
//! behind a handle pointer is a `Tagged<Inner>` whose first word names the
//! handle type, so a handle of the wrong type (or one already freed, when
//! the memory was not reused yet) is reported instead of misread.

use crate::error::{status, Error, Result};

const FREED: u64 = 0x006f_746d_dead_dead;

#[repr(C)]
struct Tagged<T> {
    tag: u64,
    inner: T,
}

// The failures of `borrow`, cold and out of line: every recording call
// borrows a handle, and its fast path must not carry message formatting.
#[cold]
#[inline(never)]
fn null_handle(name: &str) -> Error {
    Error::new(status::NULL_POINTER, format!("the {name} handle is NULL"))
}

#[cold]
#[inline(never)]
fn wrong_handle(name: &str) -> Error {
    Error::new(
        status::WRONG_HANDLE,
        format!("the handle passed as {name} is not one (wrong type, or already freed)"),
    )
}

/// Implemented by every opaque C handle type.
pub trait Handle: Sized {
    type Inner;
    const TAG: u64;
    const NAME: &'static str;

    /// Moves `inner` to the heap and returns the handle pointer.
    fn into_raw(inner: Self::Inner) -> *mut Self {
        Box::into_raw(Box::new(Tagged { tag: Self::TAG, inner })) as *mut Self
    }

    /// Borrows the value behind a handle, checking NULL and the type tag.
    ///
    /// # Safety
    /// `ptr` must be NULL or a pointer this library returned (a freed handle
    /// is detected only while its memory has not been reused).
    #[inline]
    unsafe fn borrow<'a>(ptr: *const Self) -> Result<&'a Self::Inner> {
        match Self::peek(ptr) {
            Some(inner) => Ok(inner),
            None if ptr.is_null() => Err(null_handle(Self::NAME)),
            None => Err(wrong_handle(Self::NAME)),
        }
    }

    /// The check of [`Handle::borrow`] without the message: `None` for
    /// NULL or a handle of another type (for fast paths that fall back to
    /// `borrow` to report).
    ///
    /// # Safety
    /// As for [`Handle::borrow`].
    #[inline(always)]
    unsafe fn peek<'a>(ptr: *const Self) -> Option<&'a Self::Inner> {
        if ptr.is_null() {
            return None;
        }
        let tagged = &*(ptr as *const Tagged<Self::Inner>);
        (tagged.tag == Self::TAG).then_some(&tagged.inner)
    }

    /// Lends `inner` to C for the duration of `f` through a handle pointer
    /// that lives on the stack (for objects valid only during a callback).
    fn lend<R>(inner: Self::Inner, f: impl FnOnce(*mut Self) -> R) -> R {
        let mut tagged = Tagged { tag: Self::TAG, inner };
        let r = f(&mut tagged as *mut Tagged<Self::Inner> as *mut Self);
        tagged.tag = FREED;
        r
    }

    /// Whether `ptr` (not NULL) points at a live handle of this type.
    ///
    /// # Safety
    /// As for [`Handle::borrow`].
    unsafe fn is(ptr: *const std::ffi::c_void) -> bool {
        !ptr.is_null() && *(ptr as *const u64) == Self::TAG
    }

    /// Frees a handle; NULL is a no-op.
    ///
    /// # Safety
    /// As for [`Handle::borrow`]; the handle must not be used afterwards.
    unsafe fn free(ptr: *mut Self) -> Result<()> {
        if ptr.is_null() {
            return Ok(());
        }
        Self::borrow(ptr)?;
        let mut boxed = Box::from_raw(ptr as *mut Tagged<Self::Inner>);
        boxed.tag = FREED;
        drop(boxed);
        Ok(())
    }
}

/// A handle type's tag from its number (`handle!`'s third argument).
pub const fn tag(number: u64) -> u64 {
    0x006f_746d_0000_0000 | number
}

/// Borrows `ptr` (not NULL) as a `T` when its tag is one of `numbers`
/// (several handle types wrapping one type, taken as `void *`); None for a
/// handle of any other type.
///
/// # Safety
/// As for [`Handle::borrow`]; every handle type numbered in `numbers` must
/// have `T` as its `Inner`.
pub unsafe fn peek_any<'a, T>(
    ptr: *const std::ffi::c_void,
    numbers: std::ops::RangeInclusive<u64>,
) -> Option<&'a T> {
    let found = *(ptr as *const u64);
    (tag(*numbers.start())..=tag(*numbers.end()))
        .contains(&found)
        .then(|| &(*(ptr as *const Tagged<T>)).inner)
}

/// Declares the `Handle` impl of an opaque type.
macro_rules! handle {
    ($ty:ident, $inner:ty, $tag:expr) => {
        impl $crate::ffi::handle::Handle for $ty {
            type Inner = $inner;
            const TAG: u64 = $crate::ffi::handle::tag($tag);
            const NAME: &'static str = stringify!($ty);
        }
    };
}
pub(crate) use handle;
